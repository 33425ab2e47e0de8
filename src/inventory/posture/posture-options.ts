// Checks the options of computePosture and listHygiene before any SQL runs, so a bad option is
// an ERR_INVALID_INPUT naming the field instead of a confusing empty or wrong report.
import { TesseraError } from '../../shared/errors.ts';
import { POSTURE_DEFAULTS } from './posture-defaults.ts';
import { GROUP_BYS, type GroupBy, type HygieneOptions, type PostureOptions } from './posture-types.ts';

function bad(field: string, rule: string, message: string): TesseraError {
  return new TesseraError('ERR_INVALID_INPUT', `${field}: ${message}`, { field, rule });
}

function epochMs(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw bad(field, 'epoch-ms', 'must be a whole number of milliseconds since 1970 (epoch ms)');
  }
  return value;
}

function positiveDays(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0 || value > 36_500) {
    throw bad(field, 'positive-days', 'must be a number of days above 0 and at most 36500');
  }
  return value;
}

function positiveCount(value: unknown, field: string): number {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 1 || value > 1_000_000) {
    throw bad(field, 'positive-integer', 'must be a whole number from 1 to 1000000');
  }
  return value;
}

function options(opts: unknown, known: readonly string[]): Record<string, unknown> {
  if (typeof opts !== 'object' || opts === null || Array.isArray(opts)) {
    throw bad('options', 'object', 'must be an object with at least `now`');
  }
  const unknown = Object.keys(opts).filter((k) => !known.includes(k));
  // A misspelt option (groupby, unused_days) would otherwise be ignored silently.
  if (unknown.length > 0) throw bad(unknown[0]!, 'unknown-option', `is not an option (known: ${known.join(', ')})`);
  return opts as Record<string, unknown>;
}

/** The rotation limits with the caller's tiers merged over the defaults. */
export function resolveRotationDays(value: unknown): Record<string, number> & { default: number } {
  const merged: Record<string, number> & { default: number } = { ...POSTURE_DEFAULTS.rotationDays };
  if (value === undefined) return merged;
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw bad('rotationDays', 'object', 'must be an object of tier → days, e.g. {"1": 30, "default": 365}');
  }
  for (const [tier, days] of Object.entries(value)) {
    if (tier.trim() === '' || tier === '__proto__') throw bad('rotationDays', 'tier-name', `${JSON.stringify(tier)} is not a tier name`);
    merged[tier] = positiveDays(days, `rotationDays.${tier}`);
  }
  return merged;
}

export interface ResolvedPostureOptions {
  now: number;
  groupBy: GroupBy | null;
  since: number | null;
  listLimit: number;
}

export function resolvePostureOptions(opts: PostureOptions): ResolvedPostureOptions {
  const o = options(opts, ['now', 'groupBy', 'unusedDays', 'rotationDays', 'since', 'listLimit']);
  const now = epochMs(o.now, 'now');
  let groupBy: GroupBy | null = null;
  if (o.groupBy !== undefined) {
    if (!GROUP_BYS.includes(o.groupBy as GroupBy)) {
      throw bad('groupBy', 'one-of', `must be one of ${GROUP_BYS.join(', ')} (got ${JSON.stringify(o.groupBy)})`);
    }
    groupBy = o.groupBy as GroupBy;
  }
  if (o.unusedDays !== undefined) positiveDays(o.unusedDays, 'unusedDays');
  resolveRotationDays(o.rotationDays);
  return {
    now,
    groupBy,
    since: o.since === undefined ? null : epochMs(o.since, 'since'),
    listLimit: o.listLimit === undefined ? POSTURE_DEFAULTS.rightSizingLimit : positiveCount(o.listLimit, 'listLimit'),
  };
}

export interface ResolvedHygieneOptions {
  now: number;
  unusedDays: number;
  rotationDays: Record<string, number> & { default: number };
  limit: number | null;
}

export function resolveHygieneOptions(opts: HygieneOptions): ResolvedHygieneOptions {
  const o = options(opts, ['now', 'unusedDays', 'rotationDays', 'limit']);
  return {
    now: epochMs(o.now, 'now'),
    unusedDays: o.unusedDays === undefined ? POSTURE_DEFAULTS.unusedDays : positiveDays(o.unusedDays, 'unusedDays'),
    rotationDays: resolveRotationDays(o.rotationDays),
    limit: o.limit === undefined ? null : positiveCount(o.limit, 'limit'),
  };
}
