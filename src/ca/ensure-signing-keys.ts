import { createPublicKey, generateKeyPairSync, type KeyObject, type JsonWebKey } from 'node:crypto';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import { SYSTEM } from '../shared/context.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { KeyPurpose, KeyRepo, StoredKey } from './key-repo.ts';
import { encryptPrivateKey } from './encrypt-private-key.ts';
import { decryptPrivateKey } from './decrypt-private-key.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import type { JwsAlg } from './verify-signature.ts';

/** A key the server signs with, unwrapped in memory only. */
export interface ActiveKey {
  kid: string;
  purpose: KeyPurpose;
  alg: JwsAlg;
  publicJwk: JsonWebKey;
  publicKey: KeyObject;
  privateKey: KeyObject;
}

/** A key whose signatures are still accepted (active or prepared for rotation). */
export interface PublishedKey {
  kid: string;
  alg: JwsAlg;
  publicJwk: JsonWebKey;
  publicKey: KeyObject;
}

export interface SigningKeys {
  jwt: ActiveKey;
  x509Ca: ActiveKey;
  /** JWT verification keys by kid: what the access-token verifier and the JWKS use. */
  jwtPublished: PublishedKey[];
}

export interface EnsureSigningKeysDeps {
  store: UnitOfWork & { keys: KeyRepo };
  kek: Buffer;
  clock: Clock;
  logger?: Logger | undefined;
}

function newP256(): { privateKey: KeyObject; publicJwk: JsonWebKey; kid: string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const j = publicKey.export({ format: 'jwk' });
  const publicJwk: JsonWebKey = { kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! };
  return { privateKey, publicJwk, kid: jwkThumbprint(publicJwk) };
}

function unwrap(kek: Buffer, k: StoredKey): ActiveKey {
  const privateKey = decryptPrivateKey(kek, k.kid, k.privateKeyEnc);
  return { kid: k.kid, purpose: k.purpose, alg: k.alg as JwsAlg, publicJwk: k.publicJwk, publicKey: createPublicKey(privateKey), privateKey };
}

// A lost race is retried a few times: each attempt either finds the winner's key or inserts.
const ATTEMPTS = 3;

async function ensureOne(deps: EnsureSigningKeysDeps, purpose: KeyPurpose): Promise<ActiveKey> {
  const { store, kek, clock, logger } = deps;
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const active = (await store.keys.list(purpose)).find((k) => k.status === 'active');
    // Unwrapping the existing key also proves the KEK is the right one before the server starts.
    if (active) return unwrap(kek, active);

    const fresh = newP256();
    const now = clock.now();
    const stored: StoredKey = {
      kid: fresh.kid, purpose, alg: 'ES256', publicJwk: fresh.publicJwk,
      privateKeyEnc: encryptPrivateKey(kek, fresh.kid, fresh.privateKey),
      status: 'active', createdAt: now, activatedAt: now, retiredAt: null,
    };
    try {
      await store.write(async (tx) => {
        // Fails with ERR_CONFLICT when another server sharing the database activated a key
        // for this purpose first (one active key per purpose is a unique index).
        await store.keys.insert(tx, stored);
        tx.audit(SYSTEM, { action: 'ca.key.create', outcome: 'success', target: fresh.kid, details: { purpose, alg: 'ES256' } });
      });
    } catch (e) {
      if (isTesseraError(e, 'ERR_CONFLICT')) continue;
      throw e;
    }
    logger?.info({ kid: fresh.kid, purpose }, 'created signing key');
    return { kid: fresh.kid, purpose, alg: 'ES256', publicJwk: fresh.publicJwk, publicKey: createPublicKey(fresh.privateKey), privateKey: fresh.privateKey };
  }
  throw new TesseraError('ERR_INTERNAL', `could not create or find the active ${purpose} signing key`, {});
}

/**
 * Makes sure one active JWT signing key and one trust-domain CA key exist, creating them on
 * first start. Idempotent across restarts and across several servers sharing one database.
 */
export async function ensureSigningKeys(deps: EnsureSigningKeysDeps): Promise<SigningKeys> {
  const jwt = await ensureOne(deps, 'jwt');
  const x509Ca = await ensureOne(deps, 'x509-ca');
  const jwtPublished = (await deps.store.keys.list('jwt'))
    .filter((k) => k.status !== 'retired')
    .map((k) => ({ kid: k.kid, alg: k.alg as JwsAlg, publicJwk: k.publicJwk, publicKey: createPublicKey({ key: k.publicJwk, format: 'jwk' }) }));
  return { jwt, x509Ca, jwtPublished };
}
