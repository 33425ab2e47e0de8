import type { Finding, ScanNotice } from '../engine/types.ts';
import type { GateResult } from '../gate/apply-gate.ts';
import { redact } from './format-text.ts';

/** Machine-readable report. Secrets are redacted unless asked for (the report may be stored in CI). */
export function formatJson(gate: GateResult, notices: readonly ScanNotice[], stats: { files: number; bytes: number }, showSecrets = false): string {
  const view = (f: Finding) => {
    const { lineText: _line, ...rest } = f;
    return { ...rest, secret: showSecrets ? f.secret : redact(f.secret) };
  };
  return JSON.stringify({
    pass: gate.pass,
    findings: gate.open.map(view),
    baselined: gate.baselined.map(view),
    allowed: gate.allowed.map(view),
    notices,
    stats: { filesScanned: stats.files, bytesScanned: stats.bytes, failing: gate.failing.length, belowConfidence: gate.hidden.length },
  }, null, 2);
}
