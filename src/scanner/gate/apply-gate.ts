import type { Confidence, Finding, Severity } from '../engine/types.ts';

export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const satisfies readonly Severity[];

export const CONFIDENCES = ['low', 'medium', 'high'] as const satisfies readonly Confidence[];

export interface GateOptions {
  /** Findings below this confidence are counted but neither shown nor gated (default: low = all). */
  minConfidence?: Confidence;
  /** The lowest severity that fails the gate. */
  failOn: Severity;
  /** Fingerprints accepted by a baseline file. */
  baseline?: ReadonlySet<string>;
}

export interface GateResult {
  /** Findings still open (not baselined, not allowed inline). */
  open: Finding[];
  baselined: Finding[];
  allowed: Finding[];
  /** Below minConfidence. */
  hidden: Finding[];
  /** Open findings at or above failOn. */
  failing: Finding[];
  pass: boolean;
}

/**
 * `tessera:allow` on the secret's line suppresses it; `tessera:allow rule-id[,rule-id]` only
 * those rules. A reason after `--` is welcome and ignored here.
 */
const ALLOW = /tessera:allow(?:[ \t]+([a-z0-9][a-z0-9._,-]*))?/i;

export function isAllowedInline(f: Finding): boolean {
  const m = f.lineText ? ALLOW.exec(f.lineText) : null;
  if (!m) return false;
  if (!m[1] || m[1] === '--') return true;
  return m[1].split(',').includes(f.detector);
}

export function applyGate(findings: readonly Finding[], opts: GateOptions): GateResult {
  const rank = (s: Severity) => SEVERITIES.indexOf(s);
  const out: GateResult = { open: [], baselined: [], allowed: [], hidden: [], failing: [], pass: true };
  const minConf = CONFIDENCES.indexOf(opts.minConfidence ?? 'low');
  for (const f of findings) {
    if (CONFIDENCES.indexOf(f.confidence) < minConf) out.hidden.push(f);
    else if (isAllowedInline(f)) out.allowed.push(f);
    else if (opts.baseline?.has(f.fingerprint)) out.baselined.push(f);
    else {
      out.open.push(f);
      if (rank(f.severity) >= rank(opts.failOn)) out.failing.push(f);
    }
  }
  out.pass = out.failing.length === 0;
  return out;
}
