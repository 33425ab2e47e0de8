import type { AuditEvent } from './types.ts';

export interface AuditQuery {
  afterSeq?: number | undefined;   // events with seq > afterSeq, oldest first
  beforeSeq?: number | undefined;  // events with seq < beforeSeq
  action?: string | undefined;
  actor?: string | undefined;
  outcome?: string | undefined;
  limit: number;
  newestFirst?: boolean | undefined;
}

/** What the audit capability needs from the store. Appends happen inside Store.write (see store/). */
export interface AuditRepo {
  head(): Promise<{ seq: number; hash: string }>;
  last(): Promise<AuditEvent | undefined>;
  list(q: AuditQuery): Promise<AuditEvent[]>;
  /** Every event in seq order, read in pages (verify and export stream through this). */
  scan(fromSeq?: number, pageSize?: number): AsyncIterable<AuditEvent>;
}
