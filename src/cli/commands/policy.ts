import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { runPolicyTests, type PolicyTestResult } from '../../policy/run-policy-tests.ts';
import type { Explanation } from '../../policy/types.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               machine-readable output`;

const HELP = `Usage: tessera policy <list|get|apply|delete|explain|test|check> [flags]

Policies are CEL conditions over subject, audience/resource, action and context, from three
sources: the built-in set, the server's policy directory (*.yaml, hot-reloaded) and the store.
Deny overrides allow; no matching allow denies; an evaluation error denies.

  list                 every policy in force, with its source
  get NAME             one policy
  apply -f FILE        store the policies in FILE (YAML, several documents allowed); validated first
  delete NAME          remove a stored policy
  explain              what would be decided, and every policy's part in it
                       --action A --subject SPIFFE_ID [--audience X]... [--context JSON]
  test DIR             run the YAML test cases in DIR against the policies in DIR (offline)
                       [--no-defaults] [--json]; exit 1 when a case fails
  check FILE|DIR       check Kubernetes manifests (see tessera policy check --help)

${CLIENT_FLAGS}`;

const usage = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule: 'usage' });

interface PolicyView { name: string; effect: string; mode: string; source: string; owner: string | null; description: string; condition: string; match: Record<string, string[]> }

function describe(p: PolicyView): string {
  const lines = [`${p.name} (${p.effect}, ${p.mode}) — ${p.source}`, `  owner      ${p.owner ?? '-'}`];
  if (p.description) lines.push(`  about      ${p.description}`);
  for (const [k, v] of Object.entries(p.match)) lines.push(`  ${k.padEnd(10)} ${v.join(', ')}`);
  lines.push(`  condition  ${p.condition}`);
  return lines.join('\n');
}

function describeExplanation(e: Explanation): string {
  const lines = [`${e.allow ? 'ALLOW' : 'DENY'}: ${e.reasons.join('; ')}`];
  for (const w of e.warnings) lines.push(`  ! ${w.policy} (${w.mode}): ${w.reason}`);
  const mark = { 'not-applicable': '-', 'condition-false': '✗', 'condition-true': '✓', error: '!' } as const;
  for (const t of e.trace) lines.push(`  ${mark[t.outcome]} ${t.policy} [${t.effect}${t.mode === 'enforce' ? '' : `, ${t.mode}`}] ${t.outcome}: ${t.detail}${t.exception ? ` (exception ${t.exception})` : ''}`);
  return lines.join('\n');
}

function describeTests(results: PolicyTestResult[]): string {
  const lines = results.map((r) => `${r.pass ? 'PASS' : 'FAIL'} ${r.name} (${r.file}): expected ${r.expect}, got ${r.actual}${r.pass ? '' : ` — ${r.reasons.join('; ')}`}`);
  const failed = results.filter((r) => !r.pass).length;
  lines.push(`${results.length - failed} passed, ${failed} failed`);
  return lines.join('\n');
}

function readDocuments(path: string): unknown[] {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw usage('-f', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
  const out: unknown[] = [];
  parseAllDocuments(text).forEach((d, i) => {
    if (d.errors.length > 0) throw usage('-f', `${path}#${i + 1} is not valid YAML: ${d.errors[0]!.message.split('\n')[0]}`);
    const v: unknown = d.toJS();
    if (v !== null && v !== undefined) out.push(v);
  });
  if (out.length === 0) throw usage('-f', `${path} holds no policy`);
  return out;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  // `check` (Kubernetes manifests in CI) lives in its own module.
  if (sub === 'check') {
    const mod = './policy-check.ts';
    return ((await import(mod)) as { run: (a: string[], io: CliIo) => Promise<number> }).run(rest, io);
  }
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'list') {
    const { values: v } = parse(rest, CLIENT_OPTIONS);
    if (v.help) { io.out(HELP); return EXIT.OK; }
    const { items } = await connect(v, io).request<{ items: PolicyView[] }>('GET', '/v1/policies');
    printResult(io, items, v.json, (list) => table(list.map((p) => ({ name: p.name, effect: p.effect, mode: p.mode, source: p.source, owner: p.owner })),
      ['name', 'effect', 'mode', 'source', 'owner']));
    return EXIT.OK;
  }
  if (sub === 'get' || sub === 'delete') {
    const { values: v, positionals } = parse(rest, CLIENT_OPTIONS, 1);
    if (v.help) { io.out(HELP); return EXIT.OK; }
    const name = positionals[0];
    if (name === undefined) throw usage('NAME', `which policy to ${sub} is required`);
    const path = `/v1/policies/${encodeURIComponent(name)}`;
    if (sub === 'get') printResult(io, await connect(v, io).request<PolicyView>('GET', path), v.json, describe);
    else { await connect(v, io).request('DELETE', path); printResult(io, { deleted: name }, v.json, () => `deleted policy ${name}`); }
    return EXIT.OK;
  }
  if (sub === 'apply') {
    const { values: v } = parse(rest, { ...CLIENT_OPTIONS, file: { type: 'string', short: 'f' } });
    if (v.help) { io.out(HELP); return EXIT.OK; }
    if (v.file === undefined) throw usage('-f', 'is required: a YAML file of policies');
    const docs = readDocuments(v.file);
    const client = connect(v, io);
    const applied: PolicyView[] = [];
    // One at a time, in file order: each is validated against the set including the ones before it.
    for (const d of docs) applied.push(await client.request<PolicyView>('POST', '/v1/policies', d));
    printResult(io, applied, v.json, (list) => list.map((p) => `applied policy ${p.name} (${p.effect}, ${p.mode})`).join('\n'));
    return EXIT.OK;
  }
  if (sub === 'explain') {
    const { values: v } = parse(rest, {
      ...CLIENT_OPTIONS, action: { type: 'string' }, subject: { type: 'string' }, audience: { type: 'string', multiple: true }, context: { type: 'string' },
    });
    if (v.help) { io.out(HELP); return EXIT.OK; }
    if (v.action === undefined) throw usage('--action', 'is required (e.g. token.exchange, identity.create)');
    if (v.subject === undefined) throw usage('--subject', 'is required: a registered SPIFFE ID');
    let context: unknown;
    if (v.context !== undefined) {
      try { context = JSON.parse(v.context); } catch { throw usage('--context', 'must be a JSON object'); }
      if (typeof context !== 'object' || context === null || Array.isArray(context)) throw usage('--context', 'must be a JSON object');
    }
    const body = { action: v.action, subject: v.subject, ...(v.audience ? { audience: v.audience } : {}), ...(context ? { context } : {}) };
    const e = await connect(v, io).request<Explanation>('POST', '/v1/policies/explain', body);
    printResult(io, e, v.json, describeExplanation);
    return e.allow ? EXIT.OK : EXIT.FAIL;
  }
  if (sub === 'test') {
    const { values: v, positionals } = parse(rest, { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' }, 'no-defaults': { type: 'boolean' } }, 1);
    if (v.help) { io.out(HELP); return EXIT.OK; }
    const dir = positionals[0];
    if (dir === undefined) throw usage('DIR', 'a directory of policies and test cases is required');
    const results = runPolicyTests(dir, { defaults: !v['no-defaults'], now: Date.now() });
    printResult(io, { passed: results.filter((r) => r.pass).length, failed: results.filter((r) => !r.pass).length, results }, v.json, () => describeTests(results));
    return results.every((r) => r.pass) ? EXIT.OK : EXIT.FAIL;
  }
  io.err(sub === undefined ? HELP : `tessera policy: unknown subcommand "${sub}"; use list, get, apply, delete, explain, test or check`);
  return EXIT.USAGE;
}
