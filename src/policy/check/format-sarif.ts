import { createHash } from 'node:crypto';
import type { RuleInfo, RuleMode, RuleSeverity } from '../workload/index.ts';
import type { CheckFinding, CheckReport } from './check-manifests.ts';

// SARIF 2.1.0 (OASIS), the shape code-scanning services ingest. Levels follow the rule's mode:
// only enforce fails the check, so only enforce is an error.
const LEVEL: Record<RuleMode, 'error' | 'warning' | 'note'> = { enforce: 'error', warn: 'warning', audit: 'note' };
// GitHub ranks alerts by properties["security-severity"] (a 0.0–10.0 string, CVSS bands).
const SECURITY_SEVERITY: Record<RuleSeverity, string> = { high: '8.0', medium: '5.5', low: '3.0' };

export const SARIF_SCHEMA_URI = 'https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json';

/** "run-as-non-root" → "RunAsNonRoot": SARIF's rule name is an identifier-like label. */
const pascal = (id: string) => id.split(/[^A-Za-z0-9]+/).filter(Boolean).map((w) => w[0]!.toUpperCase() + w.slice(1)).join('');

/**
 * The fingerprint does not include the line, so moving a manifest block keeps an alert's
 * identity (and a dismissed alert stays dismissed); it does include which object and field.
 */
export function fingerprint(f: CheckFinding): string {
  const key = [f.rule, f.file, f.kind, f.namespace ?? '', f.name, f.path].join('\u0000');
  return createHash('sha256').update(key).digest('hex').slice(0, 32);
}

const uriOf = (file: string) => (file === '-' ? 'stdin' : file.split('/').map(encodeURIComponent).join('/'));

export function formatSarif(r: CheckReport, rules: readonly RuleInfo[], version: string): Record<string, unknown> {
  const index = new Map(rules.map((rule, i) => [rule.id, i]));
  const results = r.findings.map((f) => {
    const obj = `${f.kind}/${f.name}${f.namespace ? ` in namespace ${f.namespace}` : ''}`;
    const ruleIndex = index.get(f.rule);
    return {
      ruleId: f.rule,
      ...(ruleIndex !== undefined ? { ruleIndex } : {}),
      level: LEVEL[f.mode],
      message: { text: `${obj}: ${f.message}` },
      locations: [{
        physicalLocation: {
          artifactLocation: { uri: uriOf(f.file), ...(f.file === '-' ? {} : { uriBaseId: '%SRCROOT%' }) },
          region: { startLine: f.line },
        },
        logicalLocations: [{ fullyQualifiedName: `${obj}:${f.path}`, kind: 'object' }],
      }],
      partialFingerprints: { 'tesseraFinding/v1': fingerprint(f) },
      properties: { mode: f.mode, severity: f.severity, path: f.path },
      // An excepted finding is reported as suppressed, not dropped: the exception stays visible.
      ...(f.excepted !== undefined
        ? { suppressions: [{ kind: 'external', status: 'accepted', justification: `policy exception ${f.excepted}` }] }
        : {}),
    };
  });
  const notifications = r.ignoredExceptions.map((e) => ({
    level: 'warning',
    message: { text: `${e.status} exception ignored: ${e.name} (policy ${e.policy}, expires ${e.expiresAt})` },
  }));
  return {
    $schema: SARIF_SCHEMA_URI,
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'tessera',
          semanticVersion: version,
          rules: rules.map((rule) => ({
            id: rule.id,
            name: pascal(rule.id),
            shortDescription: { text: rule.title },
            fullDescription: { text: rule.description },
            help: { text: `${rule.description} (default mode: ${rule.mode}; an exception may be granted with tessera exception create)` },
            defaultConfiguration: { level: LEVEL[rule.mode] },
            properties: { 'security-severity': SECURITY_SEVERITY[rule.severity], tags: ['security', 'kubernetes'], severity: rule.severity },
          })),
        },
      },
      originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The folder paths are relative to (the repository root in CI).' } } },
      invocations: [{ executionSuccessful: true, toolExecutionNotifications: notifications }],
      artifacts: r.files.map((f) => ({ location: { uri: uriOf(f), ...(f === '-' ? {} : { uriBaseId: '%SRCROOT%' }) } })),
      results,
      columnKind: 'unicodeCodePoints',
    }],
  };
}
