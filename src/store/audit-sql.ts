import type { AuditEvent } from '../audit/types.ts';
import type { AuditQuery, AuditRepo } from '../audit/audit-repo.ts';
import { hashEvent } from '../audit/hash-event.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { RequestContext } from '../shared/context.ts';
import type { AuditEventInput } from '../shared/tx.ts';
import type { Sql } from './sql.ts';

const COLS = 'seq, id, time, actor, action, target, outcome, request_id, source_ip, details, prev_hash, hash';
type Row = {
  seq: number; id: string; time: number; actor: string; action: string; target: string | null;
  outcome: string; request_id: string | null; source_ip: string | null; details: string;
  prev_hash: string; hash: string;
};
const fromRow = (r: Row): AuditEvent => ({
  seq: Number(r.seq), id: r.id, time: Number(r.time), actor: r.actor, action: r.action, target: r.target,
  outcome: r.outcome as AuditEvent['outcome'], requestId: r.request_id, sourceIp: r.source_ip,
  details: r.details, prevHash: r.prev_hash, hash: r.hash,
});

/** An event waiting for the group commit; details already in canonical JSON. */
export interface PendingAudit { ctx: RequestContext; event: AuditEventInput; details: string }

const ROWS_PER_INSERT = 100;

/**
 * Appends a batch to the chain inside the caller's transaction. Locking the head row first
 * serialises appenders across servers sharing one PostgreSQL database.
 */
export async function appendAuditBatch(sql: Sql, batch: readonly PendingAudit[], now: number): Promise<AuditEvent[]> {
  const head = await sql.get<{ seq: number; hash: string }>('UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash');
  if (!head) throw new Error('audit_head row missing');
  let seq = Number(head.seq);
  let prev = head.hash;
  const events: AuditEvent[] = batch.map(({ ctx, event, details }) => {
    const e: Omit<AuditEvent, 'hash'> = {
      seq: ++seq, id: uuidv7(now), time: now, actor: ctx.actor.id, action: event.action,
      target: event.target ?? null, outcome: event.outcome, requestId: ctx.requestId ?? null,
      sourceIp: ctx.sourceIp ?? null, details, prevHash: prev,
    };
    prev = hashEvent(e);
    return { ...e, hash: prev };
  });
  for (let i = 0; i < events.length; i += ROWS_PER_INSERT) {
    const chunk = events.slice(i, i + ROWS_PER_INSERT);
    const params: unknown[] = [];
    const tuples = chunk.map((e) => {
      const base = params.length;
      params.push(e.seq, e.id, e.time, e.actor, e.action, e.target, e.outcome, e.requestId, e.sourceIp, e.details, e.prevHash, e.hash);
      return `(${Array.from({ length: 12 }, (_, k) => `$${base + k + 1}`).join(', ')})`;
    });
    await sql.run(`INSERT INTO audit_events (${COLS}) VALUES ${tuples.join(', ')}`, params);
  }
  await sql.run('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, prev]);
  return events;
}

export function auditRepo(sql: Sql): AuditRepo {
  return {
    async head() {
      const h = await sql.get<{ seq: number; hash: string }>('SELECT seq, hash FROM audit_head WHERE id = 1');
      return { seq: Number(h?.seq ?? 0), hash: h?.hash ?? '' };
    },
    async last() {
      const r = await sql.get<Row>(`SELECT ${COLS} FROM audit_events ORDER BY seq DESC LIMIT 1`);
      return r ? fromRow(r) : undefined;
    },
    async list(q: AuditQuery) {
      const where: string[] = [];
      const params: unknown[] = [];
      const add = (cond: string, v: unknown) => { params.push(v); where.push(cond.replace('?', `$${params.length}`)); };
      if (q.afterSeq !== undefined) add('seq > ?', q.afterSeq);
      if (q.beforeSeq !== undefined) add('seq < ?', q.beforeSeq);
      if (q.action !== undefined) add('action = ?', q.action);
      if (q.actor !== undefined) add('actor = ?', q.actor);
      if (q.outcome !== undefined) add('outcome = ?', q.outcome);
      params.push(q.limit);
      const rows = await sql.all<Row>(
        `SELECT ${COLS} FROM audit_events ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ` +
        `ORDER BY seq ${q.newestFirst ? 'DESC' : 'ASC'} LIMIT $${params.length}`, params);
      return rows.map(fromRow);
    },
    async *scan(fromSeq = 0, pageSize = 1000) {
      let after = fromSeq;
      for (;;) {
        const rows = await sql.all<Row>(`SELECT ${COLS} FROM audit_events WHERE seq > $1 ORDER BY seq LIMIT $2`, [after, pageSize]);
        for (const r of rows) yield fromRow(r);
        if (rows.length < pageSize) return;
        after = Number(rows[rows.length - 1]!.seq);
      }
    },
  };
}
