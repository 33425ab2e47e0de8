import { parseDuration } from '../shared/duration.ts';
import { TesseraError } from '../shared/errors.ts';

/** "7d" (a duration back from now) or an ISO 8601 date-time → epoch ms. */
export function parseSince(value: unknown, now: number, field = 'since'): number {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}/.test(value)) {
    const t = Date.parse(value);
    if (!Number.isNaN(t)) return t;
  } else {
    try { return now - parseDuration(value, field) * 1000; } catch { /* the error below names both forms */ }
  }
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: must be a duration such as 7d or 24h, or a date-time such as 2026-11-16T00:00:00Z`, { field, rule: 'duration or date-time' });
}
