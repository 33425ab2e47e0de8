import { chmodSync, closeSync, fsyncSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { TesseraError } from '../../shared/errors.ts';
import { clientFor, toWire, type FindingToReport } from './report-findings.ts';

export interface BreakGlassTarget {
  /** record it on this server; absent: offline */
  server?: string | undefined;
  dataDir: string;
  /** where an offline record goes; default <dataDir>/break-glass.jsonl */
  offlineFile?: string | undefined;
  /** record it as this principal instead of with the admin key (see ReportTarget) */
  tokenFile?: string | undefined;
  token?: string | undefined;
}

export interface BreakGlassInput {
  reason: string;
  findings: readonly FindingToReport[];
  /** who bypassed the gate (git user, CI job…) */
  actor: string;
}

export type BreakGlassResult =
  | { recorded: 'server' }
  | { recorded: 'file'; file: string; /** why the server was not used, when one was given */ serverError?: string };

export const BREAK_GLASS_FILE = 'break-glass.jsonl';

function appendOffline(file: string, line: Record<string, unknown>): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  const fd = openSync(file, 'a', 0o600);
  try {
    // The mode given to open applies only on creation: tighten an existing file too.
    chmodSync(file, 0o600);
    writeSync(fd, `${JSON.stringify(line)}\n`);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}

/**
 * `tessera scan --break-glass "reason"`: the gate passes, but never silently. Who, why and which
 * findings (detector, fingerprint, place — never the secrets) are recorded in the server's audit
 * log, or, when there is no server or it cannot be reached, appended as one JSON line to a local
 * file (0600) for whoever collects them. Only a refusal by the server (bad input, no permission)
 * is an error: that is not an outage to route around.
 */
export async function recordBreakGlass(target: BreakGlassTarget, input: BreakGlassInput): Promise<BreakGlassResult> {
  const reason = input.reason.trim();
  if (reason === '') throw new TesseraError('ERR_INVALID_INPUT', '--break-glass: give a reason', { field: '--break-glass', rule: 'non-empty' });
  const findings = input.findings.map((f) => toWire(f, false));
  let serverError: string | undefined;
  if (target.server !== undefined) {
    try {
      await clientFor({ ...target, server: target.server }).request('POST', '/v1/scan-reports', {
        findings, breakGlass: { reason, actor: input.actor },
      });
      return { recorded: 'server' };
    } catch (e) {
      if (!(e instanceof TesseraError) || (e.code !== 'ERR_SERVER_UNREACHABLE' && e.code !== 'ERR_INTERNAL' && e.code !== 'ERR_STORE_UNAVAILABLE')) throw e;
      serverError = e.message;
    }
  }
  const file = resolve(target.offlineFile ?? join(target.dataDir, BREAK_GLASS_FILE));
  appendOffline(file, { at: new Date().toISOString(), actor: input.actor, reason, findings, ...(serverError ? { serverError } : {}) });
  return serverError ? { recorded: 'file', file, serverError } : { recorded: 'file', file };
}
