// The governance rules for machine identities, as pure functions over plain data. Each rule
// throws a TesseraError naming the field and the rule; operations call them on untrusted input
// (HTTP bodies, CLI flags) and on the merged result of an update.
import { TesseraError, invalid } from '../shared/errors.ts';
import { parseDuration, formatDuration } from '../shared/duration.ts';
import { parseSpiffeId, type SpiffeId } from '../shared/spiffe-id.ts';
import type { StaticCredentialException, Tier } from './types.ts';

export const TIERS: readonly Tier[] = [1, 2, 3];

/** Longest credential lifetime each tier may be given, seconds. */
export const TIER_MAX_TTL: Readonly<Record<Tier, number>> = { 1: 3600, 2: 86_400, 3: 7 * 86_400 };

export const OWNER_MAX = 128;
export const ENVIRONMENT_PATTERN = /^[a-z0-9-]{1,32}$/;
export const LABELS_MAX = 64;
export const LABEL_KEY_PATTERN = /^[a-zA-Z0-9._/-]{1,63}$/;
export const LABEL_VALUE_MAX = 256;
export const DESCRIPTION_MAX = 1024;
export const EXCEPTION_REASON_MAX = 1024;

/** The SPIFFE ID must be well formed and belong to this server's trust domain. */
export function checkSpiffeId(value: unknown, trustDomain: string, field = 'spiffeId'): SpiffeId {
  const id = parseSpiffeId(value, field);
  if (id.trustDomain !== trustDomain) {
    throw new TesseraError('ERR_TRUST_DOMAIN_MISMATCH',
      `${field}: trust domain "${id.trustDomain}" is not this server's trust domain "${trustDomain}"`,
      { field, rule: `trust domain must be ${trustDomain}` });
  }
  if (id.path === '') {
    // The bare trust domain ID names the trust domain's own authority (SPIFFE-ID §3.1), not a workload.
    throw invalid(field, 'must have a path: the bare trust domain ID is reserved for the signing authority', 'ERR_INVALID_SPIFFE_ID');
  }
  return id;
}

/** Every identity has a named owner: trimmed, 1..128 characters of [A-Za-z0-9._@/-]. */
export function checkOwner(value: unknown, field = 'owner'): string {
  const code = 'ERR_OWNER_REQUIRED';
  if (value === undefined || value === null) {
    throw new TesseraError(code, `${field}: is required: every machine identity needs a named owner`, { field, rule: 'is required' });
  }
  if (typeof value !== 'string') throw invalid(field, 'must be a string', code);
  const owner = value.trim();
  if (owner.length === 0) {
    throw new TesseraError(code, `${field}: must not be empty: every machine identity needs a named owner`, { field, rule: 'must not be empty' });
  }
  if (owner.length > OWNER_MAX) throw invalid(field, `must be at most ${OWNER_MAX} characters`, code);
  if (!/^[A-Za-z0-9._@/-]+$/.test(owner)) throw invalid(field, 'may contain only letters, digits, ".", "_", "@", "/" and "-"', code);
  return owner;
}

export function checkEnvironment(value: unknown, field = 'environment'): string {
  if (value === undefined || value === null) throw invalid(field, 'is required');
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (!ENVIRONMENT_PATTERN.test(value)) throw invalid(field, 'must be 1 to 32 lowercase letters, digits or "-" (e.g. prod, staging, dev)');
  return value;
}

export function checkTier(value: unknown, field = 'tier'): Tier {
  if (value === undefined || value === null) throw invalid(field, 'is required');
  if (value !== 1 && value !== 2 && value !== 3) throw invalid(field, 'must be 1, 2 or 3');
  return value;
}

/** A credential lifetime: a duration string ("15m", "1h30m") or a number of seconds. */
export function checkTtl(value: unknown, field: string): number {
  if (value === undefined || value === null) throw invalid(field, 'is required');
  return parseDuration(value, field);
}

/** "Bearer tokens forbidden" is a plain yes/no; absent means no. */
export function checkBearerForbidden(value: unknown, field = 'bearerForbidden'): boolean {
  if (value === undefined) return false;
  if (typeof value !== 'boolean') throw invalid(field, 'must be true or false');
  return value;
}

/** The tier caps the credential lifetime: tier 1 at 1h, tier 2 at 24h, tier 3 at 7d. */
export function checkTtlWithinTier(tier: Tier, ttlSeconds: number, field: string): void {
  const max = TIER_MAX_TTL[tier];
  if (ttlSeconds > max) {
    const rule = `tier ${tier} allows at most ${formatDuration(max)}`;
    throw new TesseraError('ERR_TTL_ABOVE_TIER_MAX',
      `${field}: ${formatDuration(ttlSeconds)} is above the tier maximum: ${rule}`, { field, rule, max });
  }
}

export function checkDescription(value: unknown, field = 'description'): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid(field, 'must be a string');
  if (value.length > DESCRIPTION_MAX) throw invalid(field, `must be at most ${DESCRIPTION_MAX} characters`);
  return value;
}

const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/**
 * Labels: at most 64, keys of [a-zA-Z0-9._/-]{1,63}, string values up to 256 characters.
 * Built with Object.fromEntries so a key such as "__proto__" stays an ordinary entry.
 */
export function checkLabels(value: unknown, field = 'labels'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (!isPlainObject(value)) throw invalid(field, 'must be an object of string values');
  const entries = Object.entries(value);
  if (entries.length > LABELS_MAX) throw invalid(field, `must have at most ${LABELS_MAX} labels`);
  for (const [k, v] of entries) {
    if (!LABEL_KEY_PATTERN.test(k)) throw invalid(`${field}.${k}`, 'label keys must be 1 to 63 characters of letters, digits, ".", "_", "/" and "-"');
    if (typeof v !== 'string') throw invalid(`${field}.${k}`, 'must be a string');
    if (v.length > LABEL_VALUE_MAX) throw invalid(`${field}.${k}`, `must be at most ${LABEL_VALUE_MAX} characters`);
  }
  return Object.fromEntries(entries) as Record<string, string>;
}

/** Parses a time given as an ISO-8601 string or epoch milliseconds. */
export function parseTime(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return value;
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/.test(value)) {
    const t = Date.parse(value);
    if (Number.isFinite(t)) return t;
  }
  throw invalid(field, 'must be an ISO-8601 time (e.g. 2026-01-31T00:00:00Z) or epoch milliseconds');
}

/**
 * A static-credential exception lets an identity keep a long-lived secret for a while. It must
 * always end: an expiry in the future is required on every tier (no permanent exception).
 */
export function checkStaticException(value: unknown, tier: Tier, now: number, field = 'staticException'): StaticCredentialException | null {
  if (value === undefined || value === null) return null;
  if (!isPlainObject(value)) throw invalid(field, 'must be an object { reason, expiresAt } or null');
  for (const k of Object.keys(value)) {
    if (k !== 'reason' && k !== 'expiresAt') throw invalid(`${field}.${k}`, 'is not a known field');
  }
  const reason = value.reason;
  if (typeof reason !== 'string' || reason.trim().length === 0) throw invalid(`${field}.reason`, 'is required: say why the static credential cannot be retired yet');
  if (reason.length > EXCEPTION_REASON_MAX) throw invalid(`${field}.reason`, `must be at most ${EXCEPTION_REASON_MAX} characters`);
  const expiryField = `${field}.expiresAt`;
  if (value.expiresAt === undefined || value.expiresAt === null) {
    throw new TesseraError('ERR_EXCEPTION_EXPIRY_REQUIRED',
      `${expiryField}: is required: a tier ${tier} static-credential exception must expire`, { field: expiryField, rule: 'is required' });
  }
  const expiresAt = parseTime(value.expiresAt, expiryField);
  if (expiresAt <= now) {
    throw new TesseraError('ERR_EXCEPTION_EXPIRY_REQUIRED',
      `${expiryField}: must be in the future (${new Date(expiresAt).toISOString()} has passed)`, { field: expiryField, rule: 'must be in the future' });
  }
  return { reason: reason.trim(), expiresAt };
}

/** Refuses keys the operation does not know, so a misspelt field is never silently ignored. */
export function checkKnownFields(input: Record<string, unknown>, known: readonly string[]): void {
  for (const k of Object.keys(input)) {
    if (!known.includes(k)) throw invalid(k, 'is not a known field');
  }
}

/** The operation's input must be an object. */
export function checkObject(value: unknown, field = 'input'): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  return value;
}
