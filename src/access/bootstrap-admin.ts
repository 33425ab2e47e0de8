import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject, type JsonWebKey } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ensurePrivateDir, jwkThumbprint, writeSecretFile } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import { SYSTEM } from '../shared/context.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import { ADMIN_KEY_FILE, ADMIN_PRINCIPAL_ID } from './constants.ts';
import type { Principal, PrincipalRepo } from './principal-repo.ts';

export interface BootstrapAdminDeps {
  dataDir: string;
  store: UnitOfWork & { principals: PrincipalRepo };
  clock: Clock;
  logger?: Logger | undefined;
}

export interface BootstrapAdminResult {
  adminKeyPath: string;
  /** The key file was created by this start. */
  keyCreated: boolean;
  /** The admin principal was registered by this start. */
  registered: boolean;
}

/** Reads <dataDir>/admin.key, refusing a file others can read or anything but a P-256 key. */
export function readAdminKey(path: string): KeyObject {
  const mode = statSync(path).mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TesseraError('ERR_CONFIG',
      `${path}: mode is ${mode.toString(8).padStart(4, '0')}, but the admin key must be readable by its owner only; run chmod 600 ${path}`,
      { field: path, rule: 'mode 0600' });
  }
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(path, 'utf8'));
  } catch {
    throw new TesseraError('ERR_CONFIG', `${path}: is not a PEM private key`, { field: path, rule: 'PKCS#8 PEM P-256 private key' });
  }
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new TesseraError('ERR_CONFIG', `${path}: must be a P-256 (prime256v1) private key`, { field: path, rule: 'PKCS#8 PEM P-256 private key' });
  }
  return key;
}

function publicJwkOf(key: KeyObject): JsonWebKey {
  const j = createPublicKey(key).export({ format: 'jwk' });
  return { kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! };
}

/**
 * First start: writes the admin key pair to <dataDir>/admin.key (0600, folder 0700) and
 * registers principal "admin" with its public key. The private key never leaves the data
 * folder; the CLI signs short assertions with it instead of holding a bearer secret. On a
 * database that already has an admin with another key, the stored key wins (with a warning):
 * a key file alone must never be able to replace the registered administrator.
 */
export async function bootstrapAdmin(deps: BootstrapAdminDeps): Promise<BootstrapAdminResult> {
  const { dataDir, store, clock, logger } = deps;
  if (ensurePrivateDir(dataDir)) logger?.warn({ dataDir }, 'data folder was readable by others; narrowed it to mode 0700');
  const adminKeyPath = join(dataDir, ADMIN_KEY_FILE);
  let keyCreated = false;
  if (!existsSync(adminKeyPath)) {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    keyCreated = writeSecretFile(adminKeyPath, privateKey.export({ format: 'pem', type: 'pkcs8' }) as string);
  }
  const publicJwk = publicJwkOf(readAdminKey(adminKeyPath));
  const thumbprint = jwkThumbprint(publicJwk);

  let existing = await store.principals.get(ADMIN_PRINCIPAL_ID);
  let registered = false;
  if (!existing) {
    const p: Principal = {
      id: ADMIN_PRINCIPAL_ID, roles: ['admin'], publicJwk, jwkThumbprint: thumbprint,
      description: `administrator; private key in the server's data folder (${ADMIN_KEY_FILE})`,
      createdAt: clock.now(), createdBy: SYSTEM.actor.id, disabledAt: null,
    };
    try {
      await store.write(async (tx) => {
        await store.principals.insert(tx, p);
        tx.audit(SYSTEM, { action: 'principal.create', outcome: 'success', target: p.id, details: { roles: p.roles, jwkThumbprint: thumbprint, source: 'bootstrap' } });
      });
      registered = true;
    } catch (e) {
      // Another server sharing the database registered its own admin first.
      if (!isTesseraError(e, 'ERR_CONFLICT')) throw e;
      existing = await store.principals.get(ADMIN_PRINCIPAL_ID);
    }
  }
  if (existing && existing.jwkThumbprint !== thumbprint) {
    logger?.warn({ principal: ADMIN_PRINCIPAL_ID, registeredKey: existing.jwkThumbprint, fileKey: thumbprint, adminKeyPath },
      `principal ${ADMIN_PRINCIPAL_ID} is registered with a different public key than ${adminKeyPath}; keeping the registered key. ` +
      'The CLI can only sign in with the key that was registered first (use that data folder\'s admin.key).');
  }
  if (existing && existing.disabledAt !== null) logger?.warn({ principal: ADMIN_PRINCIPAL_ID }, `principal ${ADMIN_PRINCIPAL_ID} is disabled`);
  if (keyCreated) logger?.info({ adminKeyPath }, 'created the admin key');
  return { adminKeyPath, keyCreated, registered };
}
