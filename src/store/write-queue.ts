import type { RequestContext } from '../shared/context.ts';
import type { AuditEventInput, Tx } from '../shared/tx.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { Database, Sql } from './sql.ts';
import { appendAuditBatch, type PendingAudit } from './audit-sql.ts';
import type { AuditEvent } from '../audit/types.ts';
import { canonicalJson } from '../audit/hash-event.ts';

class WriteTx implements Tx {
  readonly sql: Sql;
  readonly events: PendingAudit[] = [];
  closed = false;
  /** Set once the job's savepoint is opened (before its first statement). */
  savepoint: Promise<unknown> | undefined;
  /**
   * In a batch of several jobs each job runs under a savepoint, opened only when the job first
   * touches SQL: a job that only records audit events (an authentication failure) has nothing
   * to roll back, and skipping two round trips per job keeps PostgreSQL group commits fast.
   */
  constructor(raw: Sql, useSavepoint: boolean) {
    const ready = useSavepoint ? () => (this.savepoint ??= raw.run('SAVEPOINT job')) : () => undefined;
    this.sql = {
      dialect: raw.dialect,
      all: async (q, p) => { await ready(); return raw.all(q, p); },
      get: async (q, p) => { await ready(); return raw.get(q, p); },
      run: async (q, p) => { await ready(); return raw.run(q, p); },
      exec: async (q) => { await ready(); return raw.exec(q); },
    };
  }
  audit(ctx: RequestContext, event: AuditEventInput): void {
    if (this.closed) throw new Error('audit() called after the unit of work ended');
    // Encoded now, inside the job: details that cannot be encoded fail this job alone (not the
    // whole group commit), and later mutation of the caller's object cannot change the record.
    // An action taken with a just-in-time role says so in its own record.
    const details = ctx.actor.elevatedRoles?.length ? { ...event.details, elevatedRoles: ctx.actor.elevatedRoles } : event.details ?? {};
    this.events.push({ ctx, event, details: canonicalJson(details) });
  }
}

/** The SQL handle behind a Tx; only store/ repo implementations call this. */
export function sqlOf(tx: Tx): Sql {
  if (!(tx instanceof WriteTx) || tx.closed) throw new Error('not an open store transaction');
  return tx.sql;
}

interface Job { fn: (tx: Tx) => Promise<unknown>; resolve: (v: unknown) => void; reject: (e: unknown) => void }

/**
 * Group commit. Writes queued while a commit is in flight go into the next transaction
 * together, each under its own savepoint so one failing job does not undo the others. A job
 * resolves only after the transaction holding it (and its audit events) has committed.
 */
export class WriteQueue {
  private pending: Job[] = [];
  private draining: Promise<void> | undefined;
  private readonly db: Database;
  private readonly clock: Clock;
  private readonly maxBatch: number;
  private readonly onAppended: (events: AuditEvent[]) => void;
  batches = 0;

  constructor(db: Database, clock: Clock, onAppended: (events: AuditEvent[]) => void = () => {}, maxBatch = 1000) {
    this.db = db; this.clock = clock; this.onAppended = onAppended; this.maxBatch = maxBatch;
  }

  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.pending.push({ fn, resolve: resolve as (v: unknown) => void, reject });
      // setImmediate lets every write issued in this turn of the event loop join one commit.
      this.draining ??= new Promise<void>((done) => setImmediate(() => { void this.drain().finally(done); }));
    });
  }

  /** Resolves when every queued write has been committed (or failed). */
  async flush(): Promise<void> {
    while (this.draining) await this.draining;
  }

  private async drain(): Promise<void> {
    try {
      while (this.pending.length > 0) {
        const batch = this.pending.splice(0, this.maxBatch);
        await this.commit(batch);
      }
    } finally {
      this.draining = undefined;
    }
  }

  private async commit(batch: Job[]): Promise<void> {
    const outcomes: { ok: boolean; value: unknown }[] = [];
    let appended: AuditEvent[] = [];
    try {
      await this.db.transaction(async (sql) => {
        const events: PendingAudit[] = [];
        const single = batch.length === 1;
        for (const job of batch) {
          const tx = new WriteTx(sql, !single);
          try {
            const value = await job.fn(tx);
            if (tx.savepoint) { await tx.savepoint; await sql.run('RELEASE SAVEPOINT job'); }
            outcomes.push({ ok: true, value });
            events.push(...tx.events);
          } catch (e) {
            if (single) throw e;
            if (tx.savepoint) {
              // The savepoint itself may have failed (connection lost): then the whole commit fails.
              await tx.savepoint;
              await sql.run('ROLLBACK TO SAVEPOINT job');
              await sql.run('RELEASE SAVEPOINT job');
            }
            outcomes.push({ ok: false, value: e });
          } finally {
            tx.closed = true;
          }
        }
        if (events.length > 0) appended = await appendAuditBatch(sql, events, this.clock.now());
      });
      this.batches++;
    } catch (e) {
      if (batch.length === 1 && outcomes.length === 0) { batch[0]!.reject(e); return; }
      const err = e instanceof TesseraError ? e
        : new TesseraError('ERR_STORE_UNAVAILABLE', 'the store could not commit the change; nothing was saved', { cause: String(e) });
      for (const job of batch) job.reject(err);
      return;
    }
    // A listener (metrics, detections) must never keep committed jobs from being answered.
    if (appended.length > 0) {
      try { this.onAppended(appended); } catch { /* the listener's own problem */ }
    }
    batch.forEach((job, i) => {
      const o = outcomes[i]!;
      if (o.ok) job.resolve(o.value); else job.reject(o.value);
    });
  }
}
