import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               machine-readable output`;

const HELP = `Usage: tessera trust <add|list|get|update|remove|test> [flags]

Trust sources are external issuers whose tokens prove what a workload is: a Kubernetes cluster's
service-account issuer, GitHub Actions, GitLab CI, or any OIDC issuer. Bindings map verified
claims (CEL conditions) to registered identities (SPIFFE-ID templates).

  add                  add a trust source
  list                 every trust source
  get NAME             one trust source, with its bindings
  update NAME          change a trust source: only the flags given change
  remove NAME          remove a trust source: its tokens are refused from then on
  test                 verify a token against a source and explain each binding (changes nothing)

Run tessera trust <subcommand> --help for its flags.`;

const ADD_HELP = `Usage: tessera trust add --name NAME --kind KIND --audience AUD --env ENV [flags]

  --name NAME          lowercase letters, digits and "-"
  --kind KIND          kubernetes, github-actions, gitlab-ci or oidc
  --issuer URL         the exact iss of the tokens (default for github-actions and gitlab-ci: the
                       public issuer); keys come from its OIDC discovery document
  --jwks-uri URL       fetch keys from here instead of discovery
  --jwks FILE          a JWKS file read now and stored inline (air-gapped: nothing is fetched)
  --jwks-file PATH     a JWKS file on the server, re-read when keys are refreshed (air-gapped)
  --alg ALG            an allowed algorithm, ES256 or RS256 (repeat; default per kind, RS256)
  --audience AUD       an audience the tokens must carry (repeat; at least one)
  --max-age DURATION   oldest token accepted, by iat (default 1h, at most 24h)
  --env ENV            the environment the source is trusted for: only a prod source binds to
                       prod identities
  --bindings FILE      bindings, JSON or YAML: a list of { name, condition, spiffeId }
  --binding NAME       one binding given inline, with --condition and --spiffe-id
  --condition CEL      e.g. 'claims.repository == "octo-org/api" && claims.ref == "refs/heads/main"'
  --spiffe-id TEMPLATE e.g. 'spiffe://tessera.local/ci/{claims.repository_id}/deploy'; a
                       placeholder is one path segment ({path:claims.x} may span several)
  --description TEXT
${CLIENT_FLAGS}`;

const UPDATE_HELP = `Usage: tessera trust update NAME [flags]

Changes the trust source NAME: only the flags given are sent, every other field keeps its value,
and the whole source is validated again (bindings are recompiled). The name cannot change:
remove the source and add it again.

  --kind KIND          kubernetes, github-actions, gitlab-ci or oidc
  --issuer URL         the exact iss of the tokens
  --jwks-uri URL       fetch keys from here (replaces an inline JWKS or a JWKS file)
  --jwks FILE          a JWKS file read now and stored inline (replaces the other key sources)
  --jwks-file PATH     a JWKS file on the server (replaces the other key sources)
  --alg ALG            the allowed algorithms, ES256 or RS256 (repeat; replaces the list)
  --audience AUD       the audiences the tokens must carry (repeat; replaces the list)
  --max-age DURATION   oldest token accepted, by iat (at most 24h)
  --env ENV            the environment the source is trusted for
  --bindings FILE      bindings, JSON or YAML: a list of { name, condition, spiffeId } that
                       replaces every current binding ([] removes them all). Start from
                       tessera trust get NAME --json to keep the ones you do not change
  --description TEXT   ("" clears it)
${CLIENT_FLAGS}`;

const TEST_HELP = `Usage: tessera trust test --source NAME --token-file FILE [--json]

Verifies the token in FILE against the source and prints which binding matched, or for each
binding why it did not. Exit status: 0 a binding matched, 1 no binding matched or the token is
not valid, 2 bad usage.

${CLIENT_FLAGS}`;

const NAME_HELP = (verb: string) => `Usage: tessera trust ${verb} NAME [--json]\n\n${CLIENT_FLAGS}`;

interface SourceView {
  name: string; kind: string; issuer: string; jwksUri: string | null; jwks: { keys: unknown[] } | null; jwksFile: string | null;
  algorithms: string[]; audiences: string[]; maxTokenAge: number; environment: string;
  bindings: { name: string; condition: string; spiffeId: string }[]; description: string; createdAt: string; updatedAt: string;
}

interface TestView {
  source: string; valid: boolean; error?: string; match?: { binding: string; spiffeId: string };
  explanations: { binding: string; matched: boolean; reason: string }[];
}

const usage = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule: 'usage' });

function readText(path: string, flag: string): string {
  try { return readFileSync(path, 'utf8'); } catch (e) { throw usage(flag, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`); }
}

function readStructured(path: string, flag: string): unknown {
  const text = readText(path, flag);
  try { return parseYaml(text) as unknown; } catch { throw usage(flag, `${path} is neither JSON nor YAML`); }
}

function keysOf(s: SourceView): string {
  return s.jwks ? `inline (${s.jwks.keys.length})` : s.jwksFile ? `file ${s.jwksFile}` : s.jwksUri ?? 'discovery';
}

function describe(s: SourceView): string {
  const lines = [
    `${s.name} (${s.kind}) — trusted for ${s.environment}`,
    `  issuer      ${s.issuer}`,
    `  keys        ${keysOf(s)}`,
    `  algorithms  ${s.algorithms.join(', ')}`,
    `  audiences   ${s.audiences.join(', ')}`,
    `  max age     ${s.maxTokenAge} s`,
  ];
  if (s.description) lines.push(`  description ${s.description}`);
  lines.push(s.bindings.length ? '  bindings' : '  bindings    none (tokens verify but bind to nothing)');
  for (const b of s.bindings) lines.push(`    ${b.name}: if ${b.condition}\n      → ${b.spiffeId}`);
  return lines.join('\n');
}

function describeTest(r: TestView): string {
  if (!r.valid) return `token is not valid for source ${r.source}: ${r.error}`;
  const lines = [r.match ? `matched binding ${r.match.binding} → ${r.match.spiffeId}` : `token is valid for source ${r.source} but no binding matched`];
  for (const e of r.explanations) lines.push(`  ${e.matched ? '✓' : '✗'} ${e.binding}: ${e.reason}`);
  if (r.explanations.length === 0) lines.push('  (the source has no bindings)');
  return lines.join('\n');
}

function readBindings(path: string): unknown[] {
  const list = readStructured(path, '--bindings');
  if (!Array.isArray(list)) throw usage('--bindings', 'the file must hold a list of { name, condition, spiffeId }');
  return list;
}

function addBody(v: Record<string, unknown>): Record<string, unknown> {
  for (const flag of ['name', 'kind', 'env'] as const) if (v[flag] === undefined) throw usage(`--${flag}`, 'is required (see tessera trust add --help)');
  if (v.audience === undefined) throw usage('--audience', 'is required: the audience the tokens carry (see tessera trust add --help)');
  const body: Record<string, unknown> = { name: v.name, kind: v.kind, environment: v.env, audiences: v.audience };
  if (v.issuer !== undefined) body.issuer = v.issuer;
  if (v['jwks-uri'] !== undefined) body.jwksUri = v['jwks-uri'];
  if (v['jwks-file'] !== undefined) body.jwksFile = v['jwks-file'];
  if (v.jwks !== undefined) body.jwks = readStructured(v.jwks as string, '--jwks');
  if (v.alg !== undefined) body.algorithms = v.alg;
  if (v['max-age'] !== undefined) body.maxTokenAge = v['max-age'];
  if (v.description !== undefined) body.description = v.description;
  const bindings: unknown[] = v.bindings !== undefined ? readBindings(v.bindings as string) : [];
  const inline = ['binding', 'condition', 'spiffe-id'].filter((f) => v[f] !== undefined);
  if (inline.length > 0 && inline.length < 3) throw usage(`--${['binding', 'condition', 'spiffe-id'].find((f) => v[f] === undefined)}`, 'an inline binding needs --binding, --condition and --spiffe-id');
  if (inline.length === 3) bindings.push({ name: v.binding, condition: v.condition, spiffeId: v['spiffe-id'] });
  if (bindings.length > 0) body.bindings = bindings;
  return body;
}

// Flag → field of the PATCH body; each is sent only when given.
const UPDATE_FIELDS = {
  kind: 'kind', issuer: 'issuer', 'jwks-uri': 'jwksUri', 'jwks-file': 'jwksFile', alg: 'algorithms',
  audience: 'audiences', 'max-age': 'maxTokenAge', env: 'environment', description: 'description',
} as const;

function updateBody(v: Record<string, unknown>): Record<string, unknown> {
  if (v.name !== undefined) throw usage('--name', 'a trust source cannot be renamed: give the source as NAME; to rename, remove it and add it again');
  // Inline bindings are refused rather than guessed at: the PATCH replaces the whole list, so one
  // inline binding would silently drop every other binding the source has.
  for (const f of ['binding', 'condition', 'spiffe-id']) {
    if (v[f] !== undefined) throw usage(`--${f}`, 'update replaces the whole list of bindings: give them all in a --bindings file (start from tessera trust get NAME --json)');
  }
  const body: Record<string, unknown> = {};
  for (const [flag, field] of Object.entries(UPDATE_FIELDS)) if (v[flag] !== undefined) body[field] = v[flag];
  if (v.jwks !== undefined) body.jwks = readStructured(v.jwks as string, '--jwks');
  if (v.bindings !== undefined) body.bindings = readBindings(v.bindings as string);
  if (Object.keys(body).length === 0) throw usage('flags', 'give at least one field to change (see tessera trust update --help)');
  return body;
}

function nameArg(positionals: string[], verb: string): string {
  const name = positionals[0];
  if (name === undefined) throw usage('NAME', `which trust source to ${verb} is required`);
  return name;
}

// add and update take the same flags; update refuses the ones the PATCH cannot honour.
const SOURCE_OPTIONS = {
  ...CLIENT_OPTIONS, name: { type: 'string' }, kind: { type: 'string' }, issuer: { type: 'string' },
  'jwks-uri': { type: 'string' }, jwks: { type: 'string' }, 'jwks-file': { type: 'string' },
  alg: { type: 'string', multiple: true }, audience: { type: 'string', multiple: true }, 'max-age': { type: 'string' },
  env: { type: 'string' }, bindings: { type: 'string' }, binding: { type: 'string' }, condition: { type: 'string' },
  'spiffe-id': { type: 'string' }, description: { type: 'string' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'add') {
    const { values: v } = parse(rest, SOURCE_OPTIONS);
    if (v.help) { io.out(ADD_HELP); return EXIT.OK; }
    const s = await connect(v, io).request<SourceView>('POST', '/v1/trust-sources', addBody(v));
    printResult(io, s, v.json, (x) => `added trust source ${x.name}\n${describe(x)}`);
    return EXIT.OK;
  }
  if (sub === 'list') {
    const { values: v } = parse(rest, CLIENT_OPTIONS);
    if (v.help) { io.out(NAME_HELP('list').replace(' NAME', '')); return EXIT.OK; }
    const { items } = await connect(v, io).request<{ items: SourceView[] }>('GET', '/v1/trust-sources');
    printResult(io, items, v.json, (list) => table(list.map((s) => ({
      name: s.name, kind: s.kind, env: s.environment, issuer: s.issuer, keys: keysOf(s), bindings: s.bindings.length,
    })), ['name', 'kind', 'env', 'issuer', 'keys', 'bindings']));
    return EXIT.OK;
  }
  if (sub === 'update') {
    const { values: v, positionals } = parse(rest, SOURCE_OPTIONS, 1);
    if (v.help) { io.out(UPDATE_HELP); return EXIT.OK; }
    const name = nameArg(positionals, sub);
    const body = updateBody(v);
    const s = await connect(v, io).request<SourceView>('PATCH', `/v1/trust-sources/${encodeURIComponent(name)}`, body);
    printResult(io, s, v.json, (x) => `updated trust source ${x.name}\n${describe(x)}`);
    return EXIT.OK;
  }
  if (sub === 'get' || sub === 'remove') {
    const { values: v, positionals } = parse(rest, CLIENT_OPTIONS, 1);
    if (v.help) { io.out(NAME_HELP(sub)); return EXIT.OK; }
    const path = `/v1/trust-sources/${encodeURIComponent(nameArg(positionals, sub))}`;
    if (sub === 'get') {
      printResult(io, await connect(v, io).request<SourceView>('GET', path), v.json, describe);
    } else {
      await connect(v, io).request('DELETE', path);
      printResult(io, { removed: positionals[0] }, v.json, () => `removed trust source ${positionals[0]}`);
    }
    return EXIT.OK;
  }
  if (sub === 'test') {
    const { values: v } = parse(rest, { ...CLIENT_OPTIONS, source: { type: 'string' }, 'token-file': { type: 'string' } });
    if (v.help) { io.out(TEST_HELP); return EXIT.OK; }
    if (v.source === undefined) throw usage('--source', 'is required: the trust source to test against');
    if (v['token-file'] === undefined) throw usage('--token-file', 'is required: a file holding the token');
    const token = readText(v['token-file'], '--token-file').trim();
    if (token === '') throw usage('--token-file', `${v['token-file']} is empty`);
    const r = await connect(v, io).request<TestView>('POST', `/v1/trust-sources/${encodeURIComponent(v.source)}/test`, { token });
    printResult(io, r, v.json, describeTest);
    return r.valid && r.match ? EXIT.OK : EXIT.FAIL;
  }
  io.err(sub === undefined ? HELP : `tessera trust: unknown subcommand "${sub}"; use add, list, get, update, remove or test`);
  return EXIT.USAGE;
}
