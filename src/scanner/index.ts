// The scanner's public surface: engine, inputs, gate and outputs. No HTTP, no CLI here.
export type { DetectorLike, RawFinding, Finding, ScanNotice, ScanResult, Severity, Confidence } from './engine/types.ts';
export { scanPaths, DEFAULT_MAX_BYTES, type ScanPathsOptions } from './engine/scan-paths.ts';
export { scanStream } from './engine/scan-stream.ts';
export { scanChunk } from './engine/scan-chunk.ts';
export { fingerprint } from './engine/fingerprint.ts';
export { scanGitHistory, scanGitStaged, type GitScanOptions } from './inputs/scan-git.ts';
export { applyGate, SEVERITIES, CONFIDENCES, type GateOptions, type GateResult } from './gate/apply-gate.ts';
export { readBaseline, writeBaseline } from './gate/baseline.ts';
export { formatText, redact } from './output/format-text.ts';
export { formatJson } from './output/format-json.ts';
export { formatSarif } from './output/format-sarif.ts';
