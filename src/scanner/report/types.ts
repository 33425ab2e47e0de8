// The wire contract between `tessera scan --report-to` / `--break-glass` and POST /v1/scan-reports.

/** One finding as the scanner reports it. The secret is optional: a break-glass record never carries it. */
export interface ReportedFinding {
  detector: string;
  /** the matched credential; only needed when the server is to revoke it */
  secret?: string | undefined;
  path: string;
  line: number;
  /** hash of secret + path (the engine's baseline fingerprint): what audit records name instead of the secret */
  fingerprint: string;
}

export interface ScanReportInput {
  findings: ReportedFinding[];
  /** when the scanner found them (ISO-8601 or epoch ms); default: when the server received the report */
  detectedAt?: string | number | undefined;
  breakGlass?: { reason: string; actor?: string | undefined } | undefined;
}

/** A Tessera credential the report caused to be revoked (or found already revoked). */
export interface RevokedFinding {
  fingerprint: string;
  path: string;
  detector: string;
  kind: 'static-key' | 'jwt_svid' | 'access_token';
  /** the SPIFFE ID (or principal id for access tokens) the credential speaks for */
  identity: string;
  owner: string | undefined;
  revocationId: string;
  detectedAt: string;
  revokedAt: string;
  /** false: it was already revoked before this report */
  created: boolean;
}

/** What a human must do for a finding Tessera cannot revoke itself. */
export interface RevocationInstruction {
  fingerprint: string;
  path: string;
  detector: string;
  step: string;
}

export interface ScanReportResult {
  revoked: RevokedFinding[];
  /** every revoked credential's owner was told through the leak webhook */
  notified: boolean;
  instructions: RevocationInstruction[];
  breakGlass: boolean;
}

/** Bounds on one report (a CI run with more findings sends several reports). */
export const MAX_FINDINGS = 1000;
export const MAX_SECRET = 16 * 1024;
export const MAX_PATH = 4096;
export const MAX_REASON = 1024;
export const DETECTOR_ID = /^[a-z0-9][a-z0-9._-]{0,63}$/;
export const FINGERPRINT = /^[A-Za-z0-9+/=:._-]{8,256}$/;
/** A report is at most this many bytes on the wire (findings carry up to a JWT each). */
export const REPORT_BODY_LIMIT = 2 * 1024 * 1024;
