import { createHash } from 'node:crypto';
import type { AuditEvent } from './types.ts';

/**
 * JSON with object keys sorted at every level, so equal details always hash the same. Follows
 * JSON.stringify's rules (toJSON, dropped undefined/function/symbol members) so the text is
 * always valid JSON; a cycle is refused rather than overflowing the stack.
 */
export function canonicalJson(value: unknown): string {
  return encode(value, new Set());
}

function encode(value: unknown, path: Set<object>): string {
  if (value !== null && typeof value === 'object' && typeof (value as { toJSON?: unknown }).toJSON === 'function') {
    value = (value as { toJSON(): unknown }).toJSON();
  }
  if (value === null || typeof value !== 'object') {
    if (value === undefined || typeof value === 'function' || typeof value === 'symbol') return 'null';
    return JSON.stringify(value);
  }
  if (path.has(value)) throw new TypeError('audit details contain a cycle');
  path.add(value);
  try {
    if (Array.isArray(value)) return `[${value.map((v) => encode(v, path)).join(',')}]`;
    const obj = value as Record<string, unknown>;
    const keys = Object.keys(obj).filter((k) => !skipped(obj[k])).sort();
    return `{${keys.map((k) => `${JSON.stringify(k)}:${encode(obj[k], path)}`).join(',')}}`;
  } finally {
    path.delete(value);
  }
}

const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';

/** hash = SHA-256(prevHash || canonical encoding of every other field), hex. */
export function hashEvent(e: Omit<AuditEvent, 'hash'>): string {
  const body = JSON.stringify([e.seq, e.id, e.time, e.actor, e.action, e.target, e.outcome,
    e.requestId, e.sourceIp, e.details]);
  return createHash('sha256').update(e.prevHash).update('\n').update(body).digest('hex');
}
