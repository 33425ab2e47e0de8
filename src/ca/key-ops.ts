// What the key lifecycle operations (prepare, activate, retire, discard) share.
import type { Clock } from '../shared/clock.ts';
import { TesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import type { KeyPurpose, KeyRepo, StoredKey } from './key-repo.ts';
import type { KeyPolicy } from './key-schedule.ts';
import type { KeySpec } from './new-key.ts';

export interface KeyOpsDeps {
  store: UnitOfWork & { keys: KeyRepo };
  kek: Buffer;
  clock: Clock;
  policy: KeyPolicy;
  spec: KeySpec;
}

export const KEY_ACTIONS = { prepare: 'ca.key.prepare', activate: 'ca.key.activate', retire: 'ca.key.retire' } as const;

/** Why a transition happened, recorded in its audit event. */
export type KeyReason = 'first key' | 'schedule' | 'forced' | 'configuration changed' | 'expired' | 'replaced';

const iso = (t: number | undefined) => (t === undefined ? undefined : new Date(t).toISOString());

/** The audit details of a key, never its private part. */
export function keyDetails(k: StoredKey, reason: KeyReason): Record<string, unknown> {
  const d: Record<string, unknown> = { purpose: k.purpose, alg: k.alg, reason };
  if (k.notAfter !== undefined) d.notAfter = iso(k.notAfter);
  if (k.publishUntil !== undefined) d.publishUntil = iso(k.publishUntil);
  return d;
}

/** Another server sharing the database made this transition first. */
export function lostRace(purpose: KeyPurpose, what: string): TesseraError {
  return new TesseraError('ERR_CONFLICT', `another server changed the ${purpose} keys first (${what}); nothing was changed here`, { rule: 'compare-and-set' });
}
