import { invalid } from '../shared/errors.ts';
import type { AuditOutcome } from '../shared/tx.ts';
import { canonicalJson } from './hash-event.ts';
import type { AuditEvent } from './types.ts';

/**
 * An audit event as the API and exports show it: the time in ISO 8601 (millisecond precision,
 * so nothing is lost) and details as JSON. Every chain field is kept, so an export can be
 * verified away from Tessera: fromPublicEvent turns it back into exactly what was hashed.
 */
export interface PublicAuditEvent {
  seq: number;
  id: string;
  time: string;
  actor: string;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  sourceIp: string | null;
  /** The details object; a row whose stored details are not JSON (tampered) shows the raw text. */
  details: Record<string, unknown> | string;
  prevHash: string;
  hash: string;
}

export const OUTCOMES: readonly AuditOutcome[] = ['success', 'denied', 'failure'];

export function toPublicEvent(e: AuditEvent): PublicAuditEvent {
  let details: Record<string, unknown> | string;
  try { details = JSON.parse(e.details) as Record<string, unknown>; } catch { details = e.details; }
  return {
    seq: e.seq, id: e.id, time: new Date(e.time).toISOString(), actor: e.actor, action: e.action,
    target: e.target, outcome: e.outcome, requestId: e.requestId, sourceIp: e.sourceIp,
    details, prevHash: e.prevHash, hash: e.hash,
  };
}

const str = (o: Record<string, unknown>, k: string): string => {
  if (typeof o[k] !== 'string') throw invalid(k, 'must be a string');
  return o[k];
};
const strOrNull = (o: Record<string, unknown>, k: string): string | null => (o[k] === null ? null : str(o, k));

/** Parses an exported event back into the stored form (what the hash covers). */
export function fromPublicEvent(value: unknown): AuditEvent {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw invalid('event', 'must be a JSON object');
  const o = value as Record<string, unknown>;
  if (!Number.isSafeInteger(o.seq) || (o.seq as number) < 1) throw invalid('seq', 'must be a positive integer');
  const time = Date.parse(str(o, 'time'));
  if (Number.isNaN(time)) throw invalid('time', 'must be an ISO 8601 time');
  const outcome = str(o, 'outcome') as AuditOutcome;
  if (!OUTCOMES.includes(outcome)) throw invalid('outcome', `must be one of ${OUTCOMES.join(', ')}`);
  const details = typeof o.details === 'string' ? o.details : canonicalJson(o.details ?? {});
  return {
    seq: o.seq as number, id: str(o, 'id'), time, actor: str(o, 'actor'), action: str(o, 'action'),
    target: strOrNull(o, 'target'), outcome, requestId: strOrNull(o, 'requestId'),
    sourceIp: strOrNull(o, 'sourceIp'), details, prevHash: str(o, 'prevHash'), hash: str(o, 'hash'),
  };
}
