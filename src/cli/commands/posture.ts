import { writeFileSync } from 'node:fs';
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { Hygiene, Metric, Posture } from '../../inventory/posture/posture-types.ts';
import { GROUP_BYS } from '../../inventory/posture/posture-types.ts';
import { METRIC_IDS } from '../../inventory/posture/metric-definitions.ts';

const HELP = `Usage: tessera posture [--by tier|env|owner|source] [--hygiene] [--history] [--fix-plan [--out FILE]] [--json]

Posture metrics computed over the inventory (definitions: docs/posture.md):
static credential ratio, credential half-life, ownership coverage, privilege right-sizing,
revocation MTTR, blast radius and policy exception debt.

  --by G               break each metric down by tier, env, owner or source
  --since D            revocation MTTR over revocations since D (7d, or a date-time)
  --hygiene            the hygiene lists instead: unowned, unused, expired-but-active,
                       rotation overdue, shared across environments — each with what to do
  --unused-days N      "unused" means not used for N days (default 90)
  --history            each metric's overall value at every import (the trend), oldest first;
                       with --since D (default 90d) and --metric ID
  --metric ID          only this metric (with --history)
  --fix-plan           print the plan as a shell script of the platforms' own CLI commands
                       (aws, kubectl, gcloud, gh, vault); Tessera never runs it
  --out FILE           write the fix plan to FILE (mode 0700) instead of standard output
  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA)
  --json               print machine-readable JSON`;

function fmt(m: Metric, v: number | null | undefined): string {
  if (v === null || v === undefined) return 'n/a';
  switch (m.unit) {
    case 'ratio': return `${(v * 100).toFixed(1)} %`;
    case 'percent': return `${v.toFixed(1)} %`;
    case 'days': return `${v.toFixed(1)} days`;
    case 'ms': return v >= 60_000 ? `${(v / 60_000).toFixed(1)} min` : `${(v / 1000).toFixed(1)} s`;
    default: return String(v);
  }
}

function postureText(p: Posture): string {
  const out: string[] = [];
  for (const m of p.metrics) {
    out.push(`${m.title.padEnd(34)} ${fmt(m, m.value)}`);
    for (const g of m.groups ?? []) out.push(`  ${g.group.padEnd(32)} ${fmt(m, g.value)}${g.denominator !== undefined ? `  (${g.numerator ?? 0}/${g.denominator})` : ''}`);
    for (const i of (m.items ?? []).slice(0, 5)) out.push(`  · ${i.name} (${i.source}, tier ${i.tier ?? '-'}, owner ${i.owner ?? 'none'}): ${i.value}`);
  }
  return out.join('\n');
}

function hygieneText(h: Hygiene): string {
  return h.lists.map((l) => [`${l.title}: ${l.total}`, ...l.items.map((i) => `  ${i.action.padEnd(22)} ${i.name} (${i.source}) — ${i.reason}`)].join('\n')).join('\n\n');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, {
    ...CLIENT_OPTIONS, by: { type: 'string' }, since: { type: 'string' }, hygiene: { type: 'boolean' }, 'fix-plan': { type: 'boolean' },
    'unused-days': { type: 'string' }, out: { type: 'string' }, history: { type: 'boolean' }, metric: { type: 'string' },
  });
  if (v.help) { io.out(HELP); return EXIT.OK; }
  if (v.by !== undefined && !(GROUP_BYS as readonly string[]).includes(v.by)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--by: must be one of ${GROUP_BYS.join(', ')}`, { field: '--by', rule: 'one of' });
  }
  if (v['unused-days'] !== undefined && !/^[1-9]\d{0,3}$/.test(v['unused-days'])) {
    throw new TesseraError('ERR_INVALID_INPUT', '--unused-days: must be a whole number of days from 1 to 3650', { field: '--unused-days', rule: 'integer' });
  }
  if (v.out !== undefined && !v['fix-plan']) throw new TesseraError('ERR_INVALID_INPUT', '--out: only with --fix-plan', { field: '--out', rule: 'needs --fix-plan' });
  if (v.metric !== undefined && !v.history) throw new TesseraError('ERR_INVALID_INPUT', '--metric: only with --history', { field: '--metric', rule: 'needs --history' });
  if (v.metric !== undefined && !(METRIC_IDS as readonly string[]).includes(v.metric)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--metric: must be one of ${METRIC_IDS.join(', ')}`, { field: '--metric', rule: 'one of' });
  }
  const client = connect(v, io);
  if (v.history) {
    const q = new URLSearchParams({ since: v.since ?? '90d', ...(v.metric ? { metric: v.metric } : {}) });
    const h = await client.request<{ items: { importId: string; takenAt: number; metric: string; groupBy: string; groupValue: string; value: number | null }[] }>('GET', `/v1/posture/history?${q}`);
    if (v.json) { printResult(io, h, true, () => ''); return EXIT.OK; }
    const overall = h.items.filter((r) => r.groupBy === 'all');
    io.out(overall.length === 0 ? 'no posture snapshots in this window (each import records one)'
      : table(overall.map((r) => ({ taken: new Date(r.takenAt).toISOString(), metric: r.metric, value: r.value === null ? 'n/a' : String(Math.round(r.value * 1000) / 1000), import: r.importId })),
        ['taken', 'metric', 'value', 'import']));
    return EXIT.OK;
  }
  const hq = new URLSearchParams(v['unused-days'] ? { unusedDays: v['unused-days'] } : {});
  if (v['fix-plan']) {
    const script = await (await client.fetch('GET', `/v1/posture/fix-plan${hq.size ? `?${hq}` : ''}`)).text();
    if (v.out !== undefined) { writeFileSync(v.out, script, { mode: 0o700 }); io.err(`fix plan written to ${v.out}; review it before running it`); }
    else io.out(script);
    return EXIT.OK;
  }
  if (v.hygiene) {
    const h = await client.request<Hygiene>('GET', `/v1/posture/hygiene${hq.size ? `?${hq}` : ''}`);
    printResult(io, h, v.json, hygieneText);
    return EXIT.OK;
  }
  const q = new URLSearchParams({ ...(v.by ? { groupBy: v.by } : {}), ...(v.since ? { since: v.since } : {}) });
  const p = await client.request<Posture>('GET', `/v1/posture${q.size ? `?${q}` : ''}`);
  printResult(io, p, v.json, postureText);
  return EXIT.OK;
}
