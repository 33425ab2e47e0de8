// Fresh key material for a signing key: a JWT key (ES256 or RS256) or an X.509 CA (P-256, its
// certificate self-signed or issued by the operator's root). The private key leaves this
// function only encrypted under the KEK (and unwrapped, for the caller's own use).
import { generateKeyPair, type JsonWebKey, type KeyObject } from 'node:crypto';
import { promisify } from 'node:util';
import { encryptPrivateKey } from './encrypt-private-key.ts';
import { jwkThumbprint } from './jwk-thumbprint.ts';
import type { KeyPurpose, KeyStatus, StoredKey } from './key-repo.ts';
import type { JwtAlg } from './ca-runtime.ts';
import type { CaRoot } from './load-ca-root.ts';
import { createCaCertificate, readCertificate } from './x509/index.ts';

const generate = promisify(generateKeyPair);

/** What new keys look like, from the configuration. */
export interface KeySpec {
  trustDomain: string;
  jwtAlg: JwtAlg;
  caTtlMs: number;
  /** The operator's root: Tessera's CA is an intermediate under it. Absent: a self-signed root. */
  root?: CaRoot | undefined;
}

/** RS256 keys: 2048 bits, the size RFC 7518 §3.3 requires and relying parties expect. */
export const RSA_BITS = 2048;
/** A CA certificate's notBefore is this far in the past, for relying parties whose clocks lag. */
export const CA_BACKDATE_MS = 60_000;

function publicJwkOf(publicKey: KeyObject): JsonWebKey {
  const j = publicKey.export({ format: 'jwk' });
  return j.kty === 'RSA' ? { kty: 'RSA', n: j.n!, e: j.e! } : { kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! };
}

export interface NewKey {
  stored: StoredKey;
  privateKey: KeyObject;
}

/** A new key of `purpose` in `status` ('prepared', or 'active' when it takes over at once). */
export async function newKey(spec: KeySpec, purpose: KeyPurpose, status: Extract<KeyStatus, 'prepared' | 'active'>, kek: Buffer, now: number): Promise<NewKey> {
  const alg: JwtAlg = purpose === 'jwt' ? spec.jwtAlg : 'ES256';
  const { privateKey, publicKey } = alg === 'RS256'
    ? await generate('rsa', { modulusLength: RSA_BITS, publicExponent: 0x10001 })
    : await generate('ec', { namedCurve: 'P-256' });
  const publicJwk = publicJwkOf(publicKey);
  const kid = jwkThumbprint(publicJwk);
  const stored: StoredKey = {
    kid, purpose, alg, publicJwk, privateKeyEnc: encryptPrivateKey(kek, kid, privateKey), status,
    createdAt: now, activatedAt: status === 'active' ? now : null, retiredAt: null,
  };
  if (purpose === 'x509-ca') {
    const root = spec.root;
    const certDer = createCaCertificate({
      trustDomain: spec.trustDomain, subjectPublicKey: publicKey,
      signingKey: root ? root.privateKey : privateKey, issuerCertDer: root?.certDer,
      notBefore: now - CA_BACKDATE_MS,
      // Never past the root: an intermediate outliving its issuer would sign SVIDs that fail.
      notAfter: root ? Math.min(now + spec.caTtlMs, root.notAfter) : now + spec.caTtlMs,
    });
    const parts = readCertificate(certDer);
    stored.certDer = certDer;
    stored.chainDer = root ? [root.certDer] : [];
    stored.notBefore = parts.notBefore;
    stored.notAfter = parts.notAfter;
  }
  return { stored, privateKey };
}
