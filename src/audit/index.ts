// The audit capability's public surface.
export type { AuditEvent } from './types.ts';
export { GENESIS_HASH } from './types.ts';
export type { AuditRepo, AuditQuery } from './audit-repo.ts';
export { hashEvent, canonicalJson } from './hash-event.ts';
export { ChainChecker, type ChainProblem, type ChainProblemKind } from './chain-checker.ts';
export { verifyChain, type VerifyOptions, type VerifyResult } from './verify-chain.ts';
export { exportAudit, parseExportLine, type AuditExport, type ExportOptions } from './export-audit.ts';
export { tailAudit, followAudit, pollAfter, MAX_PAGE, type AuditFilter, type FollowOptions } from './tail-audit.ts';
export { listAudit, type ListAuditQuery, type AuditPage } from './list-audit.ts';
export { toPublicEvent, fromPublicEvent, OUTCOMES, type PublicAuditEvent } from './public-event.ts';
export { auditRefusal, recordRefusal } from './audit-refusal.ts';
