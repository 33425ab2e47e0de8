// The unit of work every state change goes through. Capabilities see Tx as opaque: they hand
// it to their repo's write methods and record the audit events the change produces. The store
// commits the change and its audit events in one transaction (group-committed with others),
// so a change is never acknowledged without its audit event, nor the reverse.
import type { RequestContext } from './context.ts';

export type AuditOutcome = 'success' | 'denied' | 'failure';

export interface AuditEventInput {
  action: string;              // e.g. "identity.create", "auth.failed"
  outcome: AuditOutcome;
  target?: string | undefined; // e.g. a SPIFFE ID or principal id
  details?: Record<string, unknown> | undefined;
}

export interface Tx {
  /** Records an audit event; it is written in the same transaction as the change. */
  audit(ctx: RequestContext, event: AuditEventInput): void;
}

export interface UnitOfWork {
  /** Runs fn in a transaction; resolves only after the commit is durable. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
}
