import type { DetectorLike, Finding, Severity } from '../engine/types.ts';
import type { GateResult } from '../gate/apply-gate.ts';
import { redact } from './format-text.ts';

const LEVEL: Record<Severity, 'error' | 'warning' | 'note'> = { critical: 'error', high: 'error', medium: 'warning', low: 'note' };
// GitHub code scanning orders alerts by this 0–10 score.
const SCORE: Record<Severity, string> = { critical: '9.5', high: '8.0', medium: '5.0', low: '2.0' };

/**
 * SARIF 2.1.0 for code scanning. Open findings are results; baselined and inline-allowed ones
 * are included with a suppression so the record is complete. The message never holds the secret.
 */
export function formatSarif(gate: GateResult, detectors: readonly DetectorLike[], version: string): string {
  const used = new Set([...gate.open, ...gate.baselined, ...gate.allowed].map((f) => f.detector));
  const rules = detectors.filter((d) => used.has(d.id));
  const index = new Map(rules.map((r, i) => [r.id, i]));
  const result = (f: Finding, suppression?: 'baseline' | 'inline') => ({
    ruleId: f.detector,
    ...(index.has(f.detector) ? { ruleIndex: index.get(f.detector)! } : {}),
    level: LEVEL[f.severity],
    message: { text: `${title(detectors, f.detector)} found (${f.confidence} confidence): ${redact(f.secret)}${f.commit ? ` in commit ${f.commit}` : ''}` },
    locations: [{ physicalLocation: { artifactLocation: { uri: uri(f.path) }, region: { startLine: Math.max(1, f.line), startColumn: Math.max(1, f.column) } } }],
    partialFingerprints: { 'tesseraSecret/v1': f.fingerprint },
    properties: { confidence: f.confidence, severity: f.severity, ...(f.commit ? { commit: f.commit, author: f.author, date: f.date } : {}) },
    ...(suppression ? { suppressions: [{ kind: suppression === 'inline' ? 'inSource' : 'external', status: 'accepted' }] } : {}),
  });
  return JSON.stringify({
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [{
      tool: {
        driver: {
          name: 'tessera-scan', version, informationUri: 'https://github.com/tessera-id/tessera',
          rules: rules.map((d) => ({
            id: d.id, name: d.id, shortDescription: { text: d.title },
            fullDescription: { text: d.revocation ? `${d.title}. To revoke: ${d.revocation}` : d.title },
            defaultConfiguration: { level: LEVEL[d.severity] },
            properties: { 'security-severity': SCORE[d.severity], tags: ['security', 'secret'] },
          })),
        },
      },
      results: [...gate.open.map((f) => result(f)), ...gate.baselined.map((f) => result(f, 'baseline')), ...gate.allowed.map((f) => result(f, 'inline'))],
    }],
  }, null, 2);
}

function title(detectors: readonly DetectorLike[], id: string): string {
  return detectors.find((d) => d.id === id)?.title ?? id;
}

/** A relative path as a URI reference (code scanning resolves it against the checkout). */
function uri(path: string): string {
  return encodeURI(path.replace(/^\.\//, '')).replace(/#/g, '%23').replace(/\?/g, '%3F');
}
