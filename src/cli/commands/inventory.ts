import { createReadStream, statSync } from 'node:fs';
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { SOURCE_KINDS } from '../../inventory/types.ts';
import { PRODUCED_BY } from '../../inventory/importers/produced-by.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               print machine-readable JSON`;

const HELP = `Usage: tessera inventory <import|list|get|imports|link|unlink|links|correlate> [flags]

  import --source KIND FILE|-   import what a platform exports (one transaction; re-importing is a no-op)
  list                          current identities and credentials (--source, --category, --owner, --workload)
  get ID                        one item with its privileges and graph edges
  imports                       past imports (snapshots) with what each changed
  link NATIVE_ID WORKLOAD       say which workload an identity belongs to
  unlink NATIVE_ID              remove that link
  links [--workload W]          the links, with the rule that made each
  correlate [--rule R]…         link identities seen in several systems (rules: service-tag, name)

Run tessera inventory <subcommand> --help for its flags.`;

const IMPORT_HELP = `Usage: tessera inventory import --source KIND [--scope SCOPE] FILE|-

  --source KIND        the kind of export:
${SOURCE_KINDS.map((k) => `                         ${k.padEnd(26)} ${PRODUCED_BY[k]}`).join('\n')}
  --scope SCOPE        account, cluster, project or owner/repo the export is from (derived when the
                       export says it; required for GitHub, default "default" for Kubernetes)
  FILE                 the export, or - for standard input (not for --source tessera)
  --quiet              no progress on standard error
${CLIENT_FLAGS}`;

interface ImportAnswer {
  import: { id: string; feed: string; records: number; added: number; changed: number; removed: number; unchanged: number };
  duplicate: boolean; widened: number; expiredActive: number;
}

/** Counts bytes as they go to the server and reports progress about once a second. */
async function* withProgress(src: AsyncIterable<Buffer>, total: number | undefined, io: CliIo, quiet: boolean): AsyncGenerator<Buffer> {
  let sent = 0, last = Date.now();
  for await (const chunk of src) {
    sent += chunk.length;
    if (!quiet && Date.now() - last >= 1000) {
      last = Date.now();
      io.err(`uploaded ${(sent / 1048576).toFixed(1)} MB${total ? ` of ${(total / 1048576).toFixed(1)} MB (${Math.floor((sent / total) * 100)} %)` : ''}`);
    }
    yield chunk;
  }
  if (!quiet && sent > 8 * 1048576) io.err(`uploaded ${(sent / 1048576).toFixed(1)} MB; the server is importing it`);
}

async function importCmd(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, { ...CLIENT_OPTIONS, source: { type: 'string' }, scope: { type: 'string' }, quiet: { type: 'boolean' } }, 1);
  if (v.help) { io.out(IMPORT_HELP); return EXIT.OK; }
  if (v.source === undefined) throw new TesseraError('ERR_INVALID_INPUT', `--source: is required (one of ${SOURCE_KINDS.join(', ')})`, { field: '--source', rule: 'required' });
  if (!(SOURCE_KINDS as readonly string[]).includes(v.source)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--source: "${v.source}" is not a known export kind (one of ${SOURCE_KINDS.join(', ')})`, { field: '--source', rule: 'one of' });
  }
  const file = positionals[0];
  const q = new URLSearchParams({ source: v.source, ...(v.scope !== undefined ? { scope: v.scope } : {}) });
  const client = connect(v, io);
  let answer: ImportAnswer;
  if (v.source === 'tessera') {
    if (file !== undefined) throw new TesseraError('ERR_INVALID_INPUT', 'FILE: --source tessera reads the server\'s own registry and takes no file', { field: 'FILE', rule: 'not allowed' });
    answer = await client.request<ImportAnswer>('POST', `/v1/inventory/imports?${q}`);
  } else {
    if (file === undefined) throw new TesseraError('ERR_INVALID_INPUT', 'FILE: is required (the export, or - for standard input)', { field: 'FILE', rule: 'required' });
    let size: number | undefined;
    let src: AsyncIterable<Buffer>;
    if (file === '-') src = (io.stdin ?? process.stdin) as AsyncIterable<Buffer>;
    else {
      try {
        const st = statSync(file);
        if (!st.isFile()) throw new Error('not a regular file');
        size = st.size;
      } catch (e) {
        throw new TesseraError('ERR_INVALID_INPUT', `FILE: cannot read ${file}: ${(e as Error).message}`, { field: 'FILE', rule: 'readable file' });
      }
      src = createReadStream(file, { highWaterMark: 1 << 20 });
    }
    const quiet = v.quiet === true;
    answer = await client.upload<ImportAnswer>(`/v1/inventory/imports?${q}`, withProgress(src, size, io, quiet), (line) => {
      if (!quiet && line.phase === 'importing') io.err(`imported ${Number(line.records).toLocaleString('en-US')} records…`);
    });
  }
  printResult(io, answer, v.json, (a) => a.duplicate
    ? `${a.import.feed}: the same export as import ${a.import.id}; nothing changed`
    : `${a.import.feed}: import ${a.import.id}: ${a.import.records} records, ${a.import.added} added, ${a.import.changed} changed, ` +
      `${a.import.removed} removed, ${a.import.unchanged} unchanged; ${a.widened} widened privilege(s), ${a.expiredActive} newly expired-but-active`);
  return EXIT.OK;
}

interface ItemView { id: string; source: string; category: string; kind: string; name: string; nativeId: string; owner: string | null; workload: string | null; environment: string | null; tier: string | null; active: boolean }

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, {
    ...CLIENT_OPTIONS, source: { type: 'string' }, category: { type: 'string' }, owner: { type: 'string' }, workload: { type: 'string' },
    removed: { type: 'boolean' }, limit: { type: 'string' }, cursor: { type: 'string' },
  });
  if (v.help) { io.out(`Usage: tessera inventory list [--source KIND] [--category identity|credential] [--owner O] [--workload W] [--removed] [--limit N] [--cursor C]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  if (v.limit !== undefined && !/^\d+$/.test(v.limit)) throw new TesseraError('ERR_INVALID_INPUT', '--limit: must be a whole number from 1 to 1000', { field: '--limit', rule: 'integer' });
  const q = new URLSearchParams();
  for (const k of ['source', 'category', 'owner', 'workload', 'limit', 'cursor'] as const) if (v[k] !== undefined) q.set(k, v[k]!);
  if (v.removed) q.set('removed', 'true');
  const page = await connect(v, io).request<{ items: ItemView[]; nextCursor?: string }>('GET', `/v1/inventory${q.size ? `?${q}` : ''}`);
  printResult(io, page, v.json, (p) => p.items.length === 0 ? 'no inventory items'
    : table(p.items.map((i) => ({ ...i, owner: i.owner ?? '(unowned)', active: i.active ? 'yes' : 'no' })), ['id', 'source', 'kind', 'name', 'owner', 'workload', 'environment', 'tier', 'active'])
      + (p.nextCursor ? `\nmore: --cursor ${p.nextCursor}` : ''));
  return EXIT.OK;
}

async function get(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, CLIENT_OPTIONS, 1);
  if (v.help || positionals.length === 0) { io.out(`Usage: tessera inventory get ID|NATIVE_ID\n\n  ID is the id list prints; a native id (an ARN, a k8s://… id, a GCP resource name) shows the\n  item in every feed that has it.\n${CLIENT_FLAGS}`); return v.help ? EXIT.OK : EXIT.USAGE; }
  const ref = positionals[0]!;
  // Item ids are 32 base64url characters; anything with ':' or '/' is a platform's own id.
  const item = /[:/]/.test(ref)
    ? await connect(v, io).request<Record<string, unknown>>('GET', `/v1/inventory/by-native-id?${new URLSearchParams({ nativeId: ref })}`)
    : await connect(v, io).request<Record<string, unknown>>('GET', `/v1/inventory/items/${encodeURIComponent(ref)}`);
  printResult(io, item, v.json, (i) => JSON.stringify(i, null, 2));
  return EXIT.OK;
}

async function imports(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, CLIENT_OPTIONS);
  if (v.help) { io.out(`Usage: tessera inventory imports\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const page = await connect(v, io).request<{ items: Record<string, unknown>[] }>('GET', '/v1/inventory/imports');
  printResult(io, page, v.json, (p) => p.items.length === 0 ? 'no imports yet'
    : table(p.items.map((i) => ({ ...i, importedAt: new Date(Number(i.importedAt)).toISOString() })), ['id', 'feed', 'importedAt', 'records', 'added', 'changed', 'removed']));
  return EXIT.OK;
}

async function link(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, CLIENT_OPTIONS, 2);
  if (v.help || positionals.length < 2) { io.out(`Usage: tessera inventory link NATIVE_ID WORKLOAD\n${CLIENT_FLAGS}`); return v.help ? EXIT.OK : EXIT.USAGE; }
  const r = await connect(v, io).request<{ nativeId: string; workload: string }>('POST', '/v1/inventory/links', { nativeId: positionals[0], workload: positionals[1] });
  printResult(io, r, v.json, (x) => `${x.nativeId} → workload ${x.workload}`);
  return EXIT.OK;
}

async function unlink(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, CLIENT_OPTIONS, 1);
  if (v.help || positionals.length < 1) { io.out(`Usage: tessera inventory unlink NATIVE_ID\n${CLIENT_FLAGS}`); return v.help ? EXIT.OK : EXIT.USAGE; }
  await connect(v, io).request('DELETE', `/v1/inventory/links?${new URLSearchParams({ nativeId: positionals[0]! })}`);
  printResult(io, { unlinked: positionals[0] }, v.json, () => `${positionals[0]} unlinked`);
  return EXIT.OK;
}

async function links(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, workload: { type: 'string' } });
  if (v.help) { io.out(`Usage: tessera inventory links [--workload W]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const page = await connect(v, io).request<{ items: Record<string, unknown>[] }>('GET', `/v1/inventory/links${v.workload ? `?${new URLSearchParams({ workload: v.workload })}` : ''}`);
  printResult(io, page, v.json, (p) => p.items.length === 0 ? 'no links' : table(p.items, ['workload', 'nativeId', 'rule']));
  return EXIT.OK;
}

async function correlateCmd(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, rule: { type: 'string', multiple: true } });
  if (v.help) { io.out(`Usage: tessera inventory correlate [--rule service-tag|name]…\n\n  Links identities without a link yet; existing links are kept.\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const r = await connect(v, io).request<{ linked: { nativeId: string; workload: string; rule: string }[] }>('POST', '/v1/inventory/correlate', v.rule ? { rules: v.rule } : {});
  printResult(io, r, v.json, (x) => x.linked.length === 0 ? 'no new links' : x.linked.map((l) => `${l.nativeId} → ${l.workload} (${l.rule})`).join('\n'));
  return EXIT.OK;
}

const SUB: Record<string, (argv: string[], io: CliIo) => Promise<number>> = { import: importCmd, list, get, imports, link, unlink, links, correlate: correlateCmd };

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === undefined || sub === '--help' || sub === '-h') { io.out(HELP); return sub === undefined ? EXIT.USAGE : EXIT.OK; }
  const fn = SUB[sub];
  if (!fn) { io.err(`tessera inventory: unknown subcommand "${sub}"\n${HELP}`); return EXIT.USAGE; }
  return fn(rest, io);
}
