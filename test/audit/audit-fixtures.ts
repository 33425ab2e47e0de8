// Shared by the audit tests: append events through the real store, and tamper with rows
// directly in SQL the way an attacker with database access would.
import type { Store } from '../../src/store/index.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import type { AuditEvent } from '../../src/audit/types.ts';
import { hashEvent } from '../../src/audit/hash-event.ts';

export const ctxOf = (actor: string): RequestContext => ({ actor: { id: actor, roles: ['admin'] }, requestId: `req-${actor}`, sourceIp: '127.0.0.1' });

/** n writes fired at once (one group commit or a few), one event each. */
export async function appendEvents(store: Store, n: number, action = 'test.event'): Promise<void> {
  await Promise.all(Array.from({ length: n }, (_, i) => store.write(async (tx) => {
    tx.audit(ctxOf(`actor-${i % 3}`), { action, outcome: i % 5 === 0 ? 'denied' : 'success', target: `t-${i}`, details: { i } });
  })));
}

export async function allEvents(store: Store): Promise<AuditEvent[]> {
  const out: AuditEvent[] = [];
  for await (const e of store.audit.scan()) out.push(e);
  return out;
}

/** Rewrites a row in place: every column from the event given (its seq selects the row). */
export async function overwriteRow(store: Store, e: AuditEvent, atSeq = e.seq): Promise<void> {
  await store.db.run(
    'UPDATE audit_events SET seq = $1, id = $2, time = $3, actor = $4, action = $5, target = $6, outcome = $7, ' +
    'request_id = $8, source_ip = $9, details = $10, prev_hash = $11, hash = $12 WHERE seq = $13',
    [e.seq, e.id, e.time, e.actor, e.action, e.target, e.outcome, e.requestId, e.sourceIp, e.details, e.prevHash, e.hash, atSeq]);
}

/** Swaps two rows' contents: each seq now holds the other event (every column but seq). */
export async function swapRows(store: Store, a: number, b: number): Promise<void> {
  await store.db.run('UPDATE audit_events SET seq = -1 WHERE seq = $1', [a]);
  await store.db.run('UPDATE audit_events SET seq = $1 WHERE seq = $2', [a, b]);
  await store.db.run('UPDATE audit_events SET seq = $1 WHERE seq = -1', [b]);
}

/**
 * The strongest attack on the database alone: change an event, then recompute every hash after
 * it and the head, so the chain is consistent again. Only a head recorded elsewhere catches it.
 */
export async function rewriteChainFrom(store: Store, seq: number, change: (e: AuditEvent) => AuditEvent): Promise<void> {
  const events = await allEvents(store);
  let prev = events.find((e) => e.seq === seq - 1)?.hash ?? '0'.repeat(64);
  for (const original of events.filter((e) => e.seq >= seq)) {
    const changed = original.seq === seq ? change(original) : original;
    const { hash: _old, ...rest } = { ...changed, prevHash: prev };
    const e = { ...rest, hash: hashEvent(rest) };
    await overwriteRow(store, e);
    prev = e.hash;
  }
  await store.db.run('UPDATE audit_head SET hash = $1 WHERE id = 1', [prev]);
}
