import { connect, type ApiClient } from '../../cli/client.ts';
import type { ReportedFinding, ScanReportResult } from './types.ts';

export interface ReportTarget {
  /** the Tessera server's base URL */
  server: string;
  /** the data folder holding the admin key that signs the report's token */
  dataDir: string;
  /** act as this principal instead (a CI workload's access token): --token-file or TESSERA_TOKEN */
  tokenFile?: string | undefined;
  token?: string | undefined;
}

/** What the scanner knows of a finding; extra fields (column, confidence…) are not sent. */
export type FindingToReport = ReportedFinding & Record<string, unknown>;

/** The report's wire form: only the fields the server accepts, so engine additions never make it refuse. */
export const toWire = (f: FindingToReport, withSecret: boolean): ReportedFinding => ({
  detector: f.detector, ...(withSecret && f.secret !== undefined ? { secret: f.secret } : {}),
  path: f.path, line: f.line, fingerprint: f.fingerprint,
});

export function clientFor(target: ReportTarget): ApiClient {
  return connect({ server: target.server, data: target.dataDir, tokenFile: target.tokenFile },
    { out: () => {}, err: () => {}, env: target.token ? { TESSERA_TOKEN: target.token } : {} });
}

/**
 * `tessera scan --report-to SERVER`: sends the findings (with their secrets: the server needs them
 * to recognise and revoke its own credentials) and returns what was revoked and what a human must
 * revoke. Detection time is now, when the scan that found them ends.
 */
export async function reportFindings(target: ReportTarget, findings: readonly FindingToReport[],
  opts: { detectedAt?: number } = {}): Promise<ScanReportResult> {
  return clientFor(target).request<ScanReportResult>('POST', '/v1/scan-reports', {
    findings: findings.map((f) => toWire(f, true)), detectedAt: opts.detectedAt ?? Date.now(),
  });
}
