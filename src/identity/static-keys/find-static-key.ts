import type { IdentityRepo } from '../identity-repo.ts';
import type { Identity } from '../types.ts';
import { hashStaticKey } from './hash-static-key.ts';
import { parseStaticKey } from './parse-static-key.ts';
import type { StaticKeyRepo } from './static-key-repo.ts';
import type { StaticKey } from './types.ts';

export type FoundStaticKey =
  | { ok: true; key: StaticKey; identity: Identity | undefined }
  | { ok: false; reason: string };

/**
 * Looks a presented `tsk_` key up by its hash. The checksum is checked first, offline, so
 * garbage never reaches the store. Says nothing about whether the key is usable now (see
 * staticKeyUnusableReason).
 */
export async function findStaticKey(store: { staticKeys: StaticKeyRepo; identities: IdentityRepo }, presented: string): Promise<FoundStaticKey> {
  const parsed = parseStaticKey(presented);
  if (!parsed.ok) return { ok: false, reason: `not a well-formed static key: ${parsed.reason}` };
  const key = await store.staticKeys.getByHash(hashStaticKey(presented));
  if (!key) return { ok: false, reason: 'unknown static key' };
  return { ok: true, key, identity: await store.identities.get(key.identityId) };
}
