import type { Finding, ScanNotice } from '../engine/types.ts';
import type { GateResult } from '../gate/apply-gate.ts';

/** Enough of a secret to recognise it, never enough to use it. */
export function redact(secret: string): string {
  if (secret.length <= 8) return '*'.repeat(secret.length);
  const show = Math.min(6, Math.floor(secret.length / 5));
  return `${secret.slice(0, show)}${'*'.repeat(Math.min(12, secret.length - show))}`;
}

export function formatText(gate: GateResult, notices: readonly ScanNotice[], stats: { files: number; bytes: number }): string {
  const lines: string[] = [];
  for (const f of gate.open) lines.push(describeFinding(f));
  for (const n of notices) lines.push(`${n.kind === 'error' ? 'error' : 'skipped'}: ${n.path}: ${n.reason}`);
  const extra = [
    gate.baselined.length ? `${gate.baselined.length} in baseline` : '',
    gate.allowed.length ? `${gate.allowed.length} allowed inline` : '',
    gate.hidden.length ? `${gate.hidden.length} below the confidence threshold` : '',
  ].filter(Boolean).join(', ');
  lines.push(`${gate.open.length} finding(s), ${gate.failing.length} failing the gate${extra ? ` (${extra})` : ''}; `
    + `${stats.files} file(s), ${(stats.bytes / 1048576).toFixed(1)} MiB scanned`);
  return lines.join('\n');
}

function describeFinding(f: Finding): string {
  const where = `${f.path}:${f.line}:${f.column}`;
  const origin = f.commit ? ` in commit ${f.commit.slice(0, 12)} by ${f.author} on ${f.date}` : '';
  return `${f.severity.toUpperCase()} ${f.detector} (${f.confidence} confidence) ${where}${origin}\n    ${redact(f.secret)}  fingerprint ${f.fingerprint}`;
}
