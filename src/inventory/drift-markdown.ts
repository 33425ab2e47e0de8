// The weekly drift report as Markdown, for a ticket, a chat channel or a wiki page.
import type { DriftItem, DriftReport } from './drift-report.ts';

const cell = (s: unknown) => String(s ?? '').replace(/\|/g, '\\|').replace(/\n/g, ' ');

function section(title: string, items: DriftItem[], detail: (i: DriftItem) => string): string {
  if (items.length === 0) return `## ${title}\n\nNone.\n`;
  const rows = items.map((i) => `| ${cell(i.nativeId)} | ${cell(i.at)} | ${cell(detail(i))} |`);
  return `## ${title} (${items.length})\n\n| item | when | details |\n|---|---|---|\n${rows.join('\n')}\n`;
}

const privs = (v: unknown) => (Array.isArray(v) ? v.map((p: { action: string; resource: string }) => `${p.action} on ${p.resource}`).join('; ') : '');

export function driftMarkdown(r: DriftReport): string {
  const metricRows = r.metrics.map((m) => `| ${m.metric} | ${m.before ?? 'n/a'} | ${m.after ?? 'n/a'} | ${m.delta === null ? 'n/a' : (m.delta > 0 ? '+' : '') + m.delta} |`);
  return [
    `# Tessera drift report\n\nFrom ${r.since} to ${r.until}: ${r.imports.length} import(s).\n`,
    section('New identities', r.newIdentities, (i) => [i.kind, i.name, i.owner ? `owner ${i.owner}` : 'unowned'].filter(Boolean).join(', ')),
    section('New credentials', r.newCredentials, (i) => [i.kind, i.name, i.owner ? `owner ${i.owner}` : 'unowned'].filter(Boolean).join(', ')),
    section('Widened privileges', r.widenedPrivileges, (i) => privs(i.details?.privilegesAdded)),
    section('Privileges of new items', r.newPrivileges, (i) => privs(i.details?.privileges)),
    section('Newly expired but still active', r.expiredButActive, (i) => `expired ${String(i.details?.expiresAt)}`),
    section('Removed', r.removed, () => ''),
    `## Metrics\n\n${metricRows.length === 0 ? 'No posture snapshots in this window.\n' : `| metric | before | after | change |\n|---|---|---|---|\n${metricRows.join('\n')}\n`}`,
  ].join('\n');
}
