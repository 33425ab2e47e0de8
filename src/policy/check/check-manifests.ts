import { relative, resolve, sep } from 'node:path';
import { checkWorkload, type Finding, type RuleMode, type RuleSeverity } from '../workload/index.ts';
import { isExceptionActive, type ActiveException } from '../exceptions/index.ts';
import { loadManifests, type SkippedDocument } from './load-manifests.ts';

export interface CheckInput {
  /** Files or directories; `-` reads standard input. */
  paths: string[];
  environment?: string | undefined;
  approvedRegistries?: string[] | undefined;
  /** From an offline exceptions file; expired ones are dropped here and reported. */
  exceptions?: ActiveException[] | undefined;
  /** Per-rule mode overrides (rule id → mode). */
  modes?: Record<string, RuleMode> | undefined;
  now: number;
  /** Report paths are relative to this folder (the repository root in CI). */
  baseDir: string;
  readStdin?: () => string;
}

/** A workload finding placed in a file: where it is, and which object it is about. */
export interface CheckFinding extends Finding {
  /** Relative, forward slashes (as SARIF and code scanning want); `-` for stdin. */
  file: string;
  line: number;
  kind: string;
  name: string;
  namespace?: string;
}

export interface CheckReport {
  environment?: string;
  /** True unless an enforce-mode finding without an exception remains. */
  passed: boolean;
  summary: { files: number; objects: number; enforce: number; warn: number; audit: number; excepted: number };
  files: string[];
  findings: CheckFinding[];
  /** Exceptions in the file that no longer apply (expired or revoked): ignored, and said so. */
  ignoredExceptions: { name: string; policy: string; status: 'expired' | 'revoked'; expiresAt: string }[];
  skipped: SkippedDocument[];
}

/**
 * Files and folders → Kubernetes objects → the same workload rules the admission webhook runs →
 * findings with file and line. An exception applies only until its expiry, checked against
 * `now` here exactly as in the live path: an expired one is ignored and named in the report.
 */
export function checkManifests(input: CheckInput): CheckReport {
  const loaded = loadManifests(input.paths, input.readStdin);
  const all = input.exceptions ?? [];
  const active = all.filter((e) => isExceptionActive(e, input.now));
  const ignored = all.filter((e) => !isExceptionActive(e, input.now));
  const rel = (f: string) => reportPath(input.baseDir, f);

  const findings: CheckFinding[] = [];
  for (const m of loaded.objects) {
    const start = findings.length;
    const r = checkWorkload(m.object, {
      ...(input.environment !== undefined ? { environment: input.environment } : {}),
      ...(input.approvedRegistries !== undefined ? { approvedRegistries: input.approvedRegistries } : {}),
      exceptions: active,
      ...(input.modes !== undefined ? { modes: input.modes } : {}),
      now: input.now,
    });
    for (const f of r.findings) {
      findings.push({
        file: rel(m.file), line: m.lineOf(f.path), kind: r.kind, name: r.name,
        ...(r.namespace !== undefined ? { namespace: r.namespace } : {}),
        rule: f.rule, severity: f.severity, mode: f.mode, message: f.message, path: f.path,
        ...(f.excepted !== undefined ? { excepted: f.excepted } : {}),
      });
    }
    // Within one object, in file order (stable: rule order among findings on the same line).
    const mine = findings.splice(start).sort((a, b) => a.line - b.line);
    findings.push(...mine);
  }
  const open = findings.filter((f) => f.excepted === undefined);
  const count = (mode: RuleMode) => open.filter((f) => f.mode === mode).length;
  return {
    ...(input.environment !== undefined ? { environment: input.environment } : {}),
    passed: count('enforce') === 0,
    summary: {
      files: loaded.files.length, objects: loaded.objects.length,
      enforce: count('enforce'), warn: count('warn'), audit: count('audit'), excepted: findings.length - open.length,
    },
    files: loaded.files.map(rel),
    findings,
    ignoredExceptions: ignored.map((e) => ({
      name: e.name, policy: e.policy, status: e.revokedAt != null ? 'revoked' as const : 'expired' as const, expiresAt: new Date(e.expiresAt).toISOString(),
    })),
    skipped: loaded.skipped.map((s) => ({ ...s, file: rel(s.file) })),
  };
}

export function reportPath(baseDir: string, file: string): string {
  if (file === '-') return file;
  return relative(baseDir, resolve(file)).split(sep).join('/');
}
