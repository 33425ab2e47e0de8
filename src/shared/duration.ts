import { TesseraError } from './errors.ts';

const UNITS: Record<string, number> = { s: 1, m: 60, h: 3600, d: 86400 };

/** Parses "90s", "15m", "1h", "1h30m", "7d" or a number of seconds into seconds. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  if (typeof value === 'string') {
    if (/^\d+$/.test(value) && Number(value) > 0) return Number(value);
    const re = /(\d+)([smhd])/gy;
    let total = 0;
    let m: RegExpExecArray | null;
    let consumed = 0;
    while ((m = re.exec(value)) !== null) {
      total += Number(m[1]) * UNITS[m[2]!]!;
      consumed = re.lastIndex;
    }
    if (consumed === value.length && value.length > 0 && total > 0) return total;
  }
  throw new TesseraError('ERR_INVALID_DURATION',
    `${field}: must be a positive duration such as "90s", "15m", "1h" or "7d"`, { field, rule: 'duration' });
}

export function formatDuration(seconds: number): string {
  const parts: string[] = [];
  for (const [u, n] of [['d', 86400], ['h', 3600], ['m', 60], ['s', 1]] as const) {
    if (seconds >= n) { parts.push(`${Math.floor(seconds / n)}${u}`); seconds %= n; }
  }
  return parts.join('') || '0s';
}
