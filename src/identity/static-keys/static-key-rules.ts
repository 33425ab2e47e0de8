// The governance rules for static keys, as pure functions. A static key is the exception, not
// the norm: it always expires, tier 1 keys live at most 30 days and only under a
// static-credential exception, and no key outlives the exception it was issued under.
import { TesseraError, invalid } from '../../shared/errors.ts';
import { formatDuration, parseDuration } from '../../shared/duration.ts';
import { parseTime } from '../guardrails.ts';
import type { Identity, Tier } from '../types.ts';
import type { StaticKey, StaticKeyStatus } from './types.ts';

const DAY_MS = 86_400_000;

/** Longest lifetime of a static key per tier. Tier 1 is the rule; 2 and 3 only make sure every key really ends. */
export const STATIC_KEY_MAX_LIFETIME_MS: Readonly<Record<Tier, number>> = { 1: 30 * DAY_MS, 2: 365 * DAY_MS, 3: 365 * DAY_MS };

const ISO_START = /^\d{4}-\d{2}-\d{2}/;

/** `expires`: a duration from now ("30d", "12h") or an ISO-8601 time; required, in the future. */
export function checkKeyExpiry(value: unknown, now: number, field = 'expires'): number {
  if (value === undefined || value === null || value === '') {
    throw new TesseraError('ERR_EXCEPTION_EXPIRY_REQUIRED',
      `${field}: is required: a static key must expire (a duration such as "30d" or an ISO-8601 time)`, { field, rule: 'is required' });
  }
  if (typeof value !== 'string') throw invalid(field, 'must be a duration such as "30d" or an ISO-8601 time');
  let expiresAt: number;
  if (ISO_START.test(value)) {
    expiresAt = parseTime(value, field);
  } else {
    try {
      expiresAt = now + parseDuration(value, field) * 1000;
    } catch {
      throw invalid(field, 'must be a duration such as "30d" or an ISO-8601 time such as 2026-01-31T00:00:00Z');
    }
  }
  if (expiresAt <= now) {
    throw new TesseraError('ERR_EXCEPTION_EXPIRY_REQUIRED',
      `${field}: must be in the future (${new Date(expiresAt).toISOString()} has passed)`, { field, rule: 'must be in the future' });
  }
  return expiresAt;
}

/** May this identity be given a key that lives until expiresAt? Throws the precise refusal. */
export function checkKeyAllowed(identity: Identity, expiresAt: number, now: number, field = 'expires'): void {
  if (identity.disabledAt !== null) {
    throw new TesseraError('ERR_IDENTITY_DISABLED', `identity: ${identity.spiffeId} is disabled and gets no new credentials`,
      { field: 'identity', rule: 'must be enabled' });
  }
  const exception = identity.staticException;
  if (exception && exception.expiresAt <= now) {
    throw new TesseraError('ERR_STATIC_EXCEPTION_REQUIRED',
      `identity: the static-credential exception of ${identity.spiffeId} ended at ${new Date(exception.expiresAt).toISOString()}; renew it first`,
      { field: 'identity', rule: 'static-credential exception must be current' });
  }
  if (identity.tier === 1 && !exception) {
    throw new TesseraError('ERR_STATIC_EXCEPTION_REQUIRED',
      `identity: ${identity.spiffeId} is tier 1: a static key needs a static-credential exception on the identity (reason and expiry)`,
      { field: 'identity', rule: 'tier 1 needs a static-credential exception' });
  }
  const max = STATIC_KEY_MAX_LIFETIME_MS[identity.tier];
  if (expiresAt - now > max) {
    const rule = `tier ${identity.tier} static keys live at most ${formatDuration(max / 1000)}`;
    throw new TesseraError('ERR_TTL_ABOVE_TIER_MAX', `${field}: ${rule}`, { field, rule, max: max / 1000 });
  }
  if (exception && expiresAt > exception.expiresAt) {
    throw new TesseraError('ERR_STATIC_KEY_OUTLIVES_EXCEPTION',
      `${field}: the key may not outlive the identity's static-credential exception (ends ${new Date(exception.expiresAt).toISOString()})`,
      { field, rule: 'at most the exception expiry', max: new Date(exception.expiresAt).toISOString() });
  }
}

export function staticKeyStatus(key: StaticKey, now: number): StaticKeyStatus {
  if (key.revokedAt !== null) return 'revoked';
  return now >= key.expiresAt ? 'expired' : 'active';
}

/**
 * Why a stored key is not usable now (undefined when it is): revoked, expired, its identity
 * gone or disabled, or the identity's exception ended or was withdrawn since the key was made.
 */
export function staticKeyUnusableReason(key: StaticKey, identity: Identity | undefined, now: number): string | undefined {
  const status = staticKeyStatus(key, now);
  if (status !== 'active') return `static key is ${status}`;
  if (!identity) return 'the identity of this static key no longer exists';
  if (identity.disabledAt !== null) return 'the identity of this static key is disabled';
  const exception = identity.staticException;
  if (exception && exception.expiresAt <= now) return 'the static-credential exception of the identity has ended';
  if (identity.tier === 1 && !exception) return 'the tier 1 identity no longer has a static-credential exception';
  return undefined;
}
