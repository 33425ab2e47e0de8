import type { AuditOutcome } from '../shared/tx.ts';

/** One audit event as stored: the chain fields make any edit, deletion or reordering visible. */
export interface AuditEvent {
  seq: number;
  id: string;
  time: number;            // epoch ms
  actor: string;
  action: string;
  target: string | null;
  outcome: AuditOutcome;
  requestId: string | null;
  sourceIp: string | null;
  details: string;         // canonical JSON text, hashed as stored
  prevHash: string;
  hash: string;
}

export const GENESIS_HASH = '0'.repeat(64);
