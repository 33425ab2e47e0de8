import { invalid } from '../shared/errors.ts';
import type { AuditRepo } from './audit-repo.ts';
import { fromPublicEvent, toPublicEvent } from './public-event.ts';
import type { AuditEvent } from './types.ts';

export interface ExportOptions {
  /** First seq exported (inclusive); default 1. */
  fromSeq?: number | undefined;
  /** Last seq exported (inclusive); default the head when the export starts. */
  toSeq?: number | undefined;
}

export interface AuditExport {
  fromSeq: number;
  toSeq: number;
  /** Filled in as lines are produced: what was actually exported. */
  events: number;
  firstSeq: number | null;
  lastSeq: number | null;
  /** NDJSON: one event per line, each ending in "\n". */
  lines(): AsyncGenerator<string>;
}

function seqOption(v: number | undefined, field: string): number | undefined {
  if (v !== undefined && (!Number.isSafeInteger(v) || v < 0)) throw invalid(field, 'must be a non-negative integer');
  return v;
}

/**
 * Streams the log (or a seq range of it) as NDJSON with every chain field, so the file can be
 * checked on its own. The range's end is fixed when the export starts: an export never chases
 * events appended while it runs (its own audit event included).
 */
export async function exportAudit(repo: AuditRepo, opts: ExportOptions = {}): Promise<AuditExport> {
  const fromSeq = Math.max(1, seqOption(opts.fromSeq, 'from') ?? 1);
  const toSeq = seqOption(opts.toSeq, 'to') ?? (await repo.head()).seq;
  if (opts.toSeq !== undefined && opts.fromSeq !== undefined && opts.toSeq < opts.fromSeq) {
    throw invalid('to', 'must not be below from');
  }
  const result: AuditExport = {
    fromSeq, toSeq, events: 0, firstSeq: null, lastSeq: null,
    async *lines() {
      if (toSeq < fromSeq) return;
      for await (const e of repo.scan(fromSeq - 1)) {
        if (e.seq > toSeq) return;
        result.events++;
        result.firstSeq ??= e.seq;
        result.lastSeq = e.seq;
        yield `${JSON.stringify(toPublicEvent(e))}\n`;
      }
    },
  };
  return result;
}

/** One exported line back into the stored event (to verify an export). */
export function parseExportLine(line: string): AuditEvent {
  let value: unknown;
  try { value = JSON.parse(line); } catch { throw invalid('line', 'is not JSON'); }
  return fromPublicEvent(value);
}
