// Times in platform exports: RFC 3339 in kubectl, gcloud, GitHub and Vault output, with up to
// nanosecond fractions (Vault) and either Z or an offset. Date.parse alone is not enough: it
// reads a zone-less time as local time and accepts things like "March 7", so the accepted
// shapes are spelled out and the fields range-checked.
import { TesseraError } from '../../shared/errors.ts';

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?\s*(Z|z|UTC|GMT|[+-]\d{2}:?\d{2})?$/;

// Date.UTC reads years 0–99 as 1900–1999; setUTCFullYear does not (Go's zero time is year 1).
function utc(y: number, month0: number, d: number, h = 0, mi = 0, s = 0, ms = 0): number {
  const dt = new Date(0);
  dt.setUTCFullYear(y, month0, d);
  dt.setUTCHours(h, mi, s, ms);
  return dt.getTime();
}

const daysIn = (y: number, m: number) => new Date(utc(y, m, 0)).getUTCDate();

/**
 * Epoch ms of an export's time value; null when the export has none (missing, null or "").
 * A time without a zone is read as UTC (every exporter here writes UTC). Anything else is an
 * ERR_INVALID_INPUT naming the field.
 */
export function parseExportTime(value: unknown, field: string): number | null {
  if (value === undefined || value === null || value === '') return null;
  const bad = (): never => {
    const shown = typeof value === 'string' ? JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value) : typeof value;
    throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${shown} is not a time (expected RFC 3339, e.g. 2024-01-15T10:00:00Z)`, { field, rule: 'time' });
  };
  if (typeof value !== 'string') return bad();
  const m = ISO.exec(value.trim());
  if (!m) return bad();
  const [y, mo, d, h, mi, s] = [m[1], m[2], m[3], m[4], m[5], m[6]].map((x) => (x === undefined ? 0 : Number(x))) as [number, number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > daysIn(y, mo) || h > 23 || mi > 59 || s > 60) return bad();
  // Milliseconds from the first three fraction digits; finer digits (Vault's ns) are dropped.
  const ms = m[7] ? Number(m[7].slice(0, 3).padEnd(3, '0')) : 0;
  let t = utc(y, mo - 1, d, h, mi, Math.min(s, 59), ms); // a leap second :60 counts as :59
  const zone = m[8];
  if (zone && /^[+-]/.test(zone)) {
    const digits = zone.replace(':', '');
    const oh = Number(digits.slice(1, 3)), om = Number(digits.slice(3, 5));
    if (oh > 23 || om > 59) return bad();
    t -= (zone[0] === '+' ? 1 : -1) * (oh * 60 + om) * 60_000;
  }
  return t;
}
