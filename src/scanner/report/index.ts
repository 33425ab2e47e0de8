// Leak response: the scanner's client side (report findings, record a break-glass) and the
// server-side operation behind POST /v1/scan-reports (revoke what Tessera issued, notify owners).
export type {
  ReportedFinding, ScanReportInput, ScanReportResult, RevokedFinding, RevocationInstruction,
} from './types.ts';
export { MAX_FINDINGS, REPORT_BODY_LIMIT } from './types.ts';
export { reportFindings, type ReportTarget, type FindingToReport } from './report-findings.ts';
export { recordBreakGlass, BREAK_GLASS_FILE, type BreakGlassTarget, type BreakGlassInput, type BreakGlassResult } from './record-break-glass.ts';
export { handleScanReport, type ScanReportDeps } from './handle-scan-report.ts';
export { notifyOwner, WEBHOOK_TIMEOUT_MS, type LeakNotice, type NotifyDeps } from './notify-owner.ts';
export { revocationStep, GENERIC_STEP } from './revocation-step.ts';
