import type { CheckReport } from './check-manifests.ts';

/**
 * One line per finding, `file:line  Kind/name  rule  [mode, severity]  message` (the form
 * editors and CI logs turn into links), then ignored exceptions and a one-line verdict.
 */
export function formatText(r: CheckReport): string {
  const lines: string[] = [];
  for (const f of r.findings) {
    const obj = `${f.kind}/${f.name}${f.namespace ? ` (ns ${f.namespace})` : ''}`;
    const tag = f.excepted !== undefined ? `excepted by ${f.excepted}` : `${f.mode}, ${f.severity}`;
    lines.push(`${f.file}:${f.line}  ${obj}  ${f.rule}  [${tag}]  ${f.message}`);
  }
  for (const e of r.ignoredExceptions) {
    lines.push(`${e.status} exception ignored: ${e.name} (policy ${e.policy}, expires ${e.expiresAt})`);
  }
  if (lines.length > 0) lines.push('');
  lines.push(summaryLine(r));
  return lines.join('\n');
}

export function summaryLine(r: CheckReport): string {
  const s = r.summary;
  const plural = (n: number, w: string) => `${n} ${w}${n === 1 ? '' : 's'}`;
  return `${plural(s.files, 'file')}, ${plural(s.objects, 'object')}: ${plural(s.enforce, 'violation')}, `
    + `${plural(s.warn, 'warning')}, ${s.audit} audit, ${s.excepted} excepted — ${r.passed ? 'PASSED' : 'FAILED'}`;
}
