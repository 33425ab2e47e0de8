import { closeSync, existsSync, fsyncSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { randomUUID } from 'node:crypto';
import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult, DEFAULT_DATA_DIR } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { pollAfter, verifyChain, OUTCOMES, MAX_PAGE, type PublicAuditEvent, type VerifyResult } from '../../audit/index.ts';
import { auditRepo } from '../../store/audit-sql.ts';
import { openSqliteReadOnly } from '../../store/sqlite.ts';
import { SQLITE_FILE } from '../../store/index.ts';

const HELP = `Usage: tessera audit <tail|verify|export> [flags]

Reads, verifies and exports the tamper-evident audit log. Every event carries the hash of the
one before it, so an edited, deleted or reordered row is detected and named.

  tail     the newest events (optionally following new ones)
  verify   check the whole hash chain (exit 0 intact, 1 broken)
  export   the log as NDJSON, every chain field included

Run tessera audit <subcommand> --help for its flags.`;

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)`;

const TAIL_HELP = `Usage: tessera audit tail [--limit N] [--action A] [--actor X] [--outcome O] [--follow] [--json]

Prints the newest N events, oldest first; with --follow keeps printing new ones until stopped.
  --limit N            how many (1–${MAX_PAGE}, default 20)
  --action A           only this action (e.g. identity.create)
  --actor X            only this actor (principal id)
  --outcome O          only ${OUTCOMES.join(', ')}
  --follow             keep polling for new events (Ctrl-C stops)
  --json               JSON (with --follow: one JSON event per line)
${CLIENT_FLAGS}`;

const VERIFY_HELP = `Usage: tessera audit verify [--expect-head HASH] [--offline] [--json]

Recomputes every hash and checks every link; reports each problem with its seq and kind
(edited, deleted, reordered, gap, head-mismatch). Exit 0 when intact, 1 when broken.
  --expect-head HASH   a head hash recorded earlier outside Tessera: it must still be in the
                       chain (catches a chain rewritten consistently, head included)
  --offline            read the embedded SQLite store in --data directly (read-only; no server),
                       e.g. to verify a copy of the data folder (copy tessera.db with its
                       tessera.db-wal file, or take it with sqlite3 .backup)
  --json               the full result as JSON
${CLIENT_FLAGS}`;

const EXPORT_HELP = `Usage: tessera audit export [--out FILE] [--from SEQ] [--to SEQ]

Writes events as NDJSON (one JSON event per line, every chain field, time in ISO 8601) to
FILE (created with mode 0600) or to standard output. The export is itself audited.
  --out FILE           write here instead of standard output
  --from SEQ           first seq (default 1)
  --to SEQ             last seq (default: the head when the export starts)
  --json               with --out: print the summary as JSON
${CLIENT_FLAGS}`;

const HASH = /^[0-9a-f]{64}$/;

function intFlag(value: string | undefined, flag: string, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (value === undefined) return undefined;
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new TesseraError('ERR_INVALID_INPUT', `${flag}: "${value}" must be an integer from ${min}${max < Number.MAX_SAFE_INTEGER ? ` to ${max}` : ' up'}`, { field: flag, rule: 'integer range' });
  }
  return n;
}

const query = (params: Record<string, string | number | undefined>) => {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined) q.set(k, String(v));
  return q.toString();
};

const eventLine = (e: PublicAuditEvent) =>
  [`#${e.seq}`, e.time, e.outcome.padEnd(7), e.actor, e.action, e.target ?? '-'].join('  ');

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'tail') return tail(rest, io);
  if (sub === 'verify') return verify(rest, io);
  if (sub === 'export') return exportLog(rest, io);
  io.err(sub === undefined ? HELP : `tessera audit: unknown subcommand "${sub}"; use tail, verify or export`);
  return EXIT.USAGE;
}

async function tail(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, {
    ...CLIENT_OPTIONS, limit: { type: 'string' }, action: { type: 'string' }, actor: { type: 'string' },
    outcome: { type: 'string' }, follow: { type: 'boolean' },
  });
  if (v.help) { io.out(TAIL_HELP); return EXIT.OK; }
  const limit = intFlag(v.limit, '--limit', 1, MAX_PAGE) ?? 20;
  if (v.outcome !== undefined && !(OUTCOMES as readonly string[]).includes(v.outcome)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--outcome: must be one of ${OUTCOMES.join(', ')}`, { field: '--outcome', rule: 'enum' });
  }
  const api = connect(v, io);
  const filters = { action: v.action, actor: v.actor, outcome: v.outcome };
  const page = await api.request<{ items: PublicAuditEvent[] }>('GET', `/v1/audit?${query({ ...filters, limit })}`);
  const items = page.items.reverse();
  if (!v.follow) {
    printResult(io, items, v.json, (list) => (list.length ? list.map(eventLine).join('\n') : 'no audit events match'));
    return EXIT.OK;
  }
  const show = (e: PublicAuditEvent) => io.out(v.json ? JSON.stringify(e) : eventLine(e));
  items.forEach(show);
  const stop = new AbortController();
  const onSignal = () => stop.abort();
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    const fetchAfter = async (after: number) => (await api.request<{ items: PublicAuditEvent[] }>('GET',
      `/v1/audit?${query({ ...filters, after, order: 'asc', limit: MAX_PAGE })}`)).items;
    const start = items.at(-1)?.seq ?? (await api.request<{ items: PublicAuditEvent[] }>('GET', '/v1/audit?limit=1')).items[0]?.seq ?? 0;
    for await (const e of pollAfter(fetchAfter, { afterSeq: start, intervalMs: 1000, signal: stop.signal })) show(e);
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
  return EXIT.OK;
}

async function verify(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, 'expect-head': { type: 'string' }, offline: { type: 'boolean' } });
  if (v.help) { io.out(VERIFY_HELP); return EXIT.OK; }
  const expectHead = v['expect-head'];
  if (expectHead !== undefined && !HASH.test(expectHead)) {
    throw new TesseraError('ERR_INVALID_INPUT', '--expect-head: must be a SHA-256 hash (64 lowercase hex characters)', { field: '--expect-head', rule: 'hex sha-256' });
  }
  let result: VerifyResult;
  if (v.offline) {
    if (v.server !== undefined) {
      throw new TesseraError('ERR_INVALID_INPUT', '--server: not used with --offline, which reads the database in --data directly', { field: '--server', rule: 'conflicts with --offline' });
    }
    result = await verifyOffline(resolve(v.data ?? io.env.TESSERA_DATA ?? DEFAULT_DATA_DIR), expectHead);
  } else {
    result = await connect(v, io).request<VerifyResult>('GET', `/v1/audit/verify?${query({ expectHead })}`);
  }
  printResult(io, result, v.json, (r) => {
    const where = `head seq ${r.headSeq}, hash ${r.headHash}`;
    if (r.ok) return `audit chain intact: ${r.events} events, ${where}`;
    const more = r.problemCount > r.problems.length ? `\n  … and ${r.problemCount - r.problems.length} more` : '';
    return [`audit chain BROKEN: ${r.problemCount} problem(s) in ${r.events} events (${where})`,
      ...r.problems.map((p) => `  seq ${p.seq}  ${p.kind.padEnd(13)} ${p.message}`)].join('\n') + more;
  });
  return result.ok ? EXIT.OK : EXIT.FAIL;
}

/** Verifies the SQLite file in a data folder (or a copy of one), opened read-only. */
async function verifyOffline(dataDir: string, expectHead: string | undefined): Promise<VerifyResult> {
  const file = join(dataDir, SQLITE_FILE);
  if (!existsSync(file)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--data: no ${SQLITE_FILE} in ${dataDir} (--offline reads the embedded store)`, { field: '--data', rule: `folder holds ${SQLITE_FILE}` });
  }
  let db;
  try {
    db = openSqliteReadOnly(file);
    await db.get('SELECT seq FROM audit_head WHERE id = 1');
  } catch (e) {
    await db?.close();
    throw new TesseraError('ERR_INVALID_INPUT', `--data: ${file} is not a readable Tessera database: ${(e as Error).message}`, { field: '--data', rule: 'Tessera SQLite store' });
  }
  try {
    return await verifyChain(auditRepo(db), { expectHead });
  } finally {
    await db.close();
  }
}

async function exportLog(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, out: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' } });
  if (v.help) { io.out(EXPORT_HELP); return EXIT.OK; }
  const from = intFlag(v.from, '--from', 1);
  const to = intFlag(v.to, '--to', 0);
  if (from !== undefined && to !== undefined && to < from) {
    throw new TesseraError('ERR_INVALID_INPUT', '--to: must not be below --from', { field: '--to', rule: 'to >= from' });
  }
  const res = await connect(v, io).fetch('GET', `/v1/audit/export?${query({ from, to })}`);
  if (v.out === undefined) {
    for await (const line of linesOf(res)) io.out(`${line}\n`);
    return EXIT.OK;
  }
  const summary = await writeExport(resolve(v.out), linesOf(res));
  printResult(io, summary, v.json, (s) => (s.events === 0
    ? `no events in that range; wrote an empty ${s.file}`
    : `exported ${s.events} events (seq ${s.firstSeq}–${s.lastSeq}) to ${s.file}`));
  return EXIT.OK;
}

/** The response's NDJSON lines, as they arrive. */
async function* linesOf(res: Response): AsyncGenerator<string> {
  if (!res.body) return;
  const decoder = new TextDecoder();
  let buf = '';
  for await (const chunk of res.body) {
    buf += decoder.decode(chunk as Uint8Array, { stream: true });
    let nl: number;
    while ((nl = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, nl);
      buf = buf.slice(nl + 1);
      if (line) yield line;
    }
  }
  buf += decoder.decode();
  if (buf) yield buf;
}

/**
 * Written to a 0600 temporary file beside the target, synced, then renamed over it: the file
 * is never readable by others, and an interrupted export leaves no half-written file.
 */
async function writeExport(file: string, lines: AsyncIterable<string>): Promise<{ file: string; events: number; firstSeq: number | null; lastSeq: number | null }> {
  const tmp = join(dirname(file), `.${basename(file)}.${randomUUID()}.tmp`);
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', 0o600);
  } catch (e) {
    throw new TesseraError('ERR_INVALID_INPUT', `--out: cannot write ${file}: ${(e as Error).message}`, { field: '--out', rule: 'writable file' });
  }
  let events = 0;
  let firstSeq: number | null = null;
  let lastSeq: number | null = null;
  try {
    for await (const line of lines) {
      const seq = (JSON.parse(line) as { seq: number }).seq;
      firstSeq ??= seq;
      lastSeq = seq;
      events++;
      writeSync(fd, `${line}\n`);
    }
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try { closeSync(fd); } catch { /* already closed */ }
    try { unlinkSync(tmp); } catch { /* gone */ }
    throw e;
  }
  return { file, events, firstSeq, lastSeq };
}
