import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { CaStatus } from '../../ca/index.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               machine-readable output`;

const HELP = `Usage: tessera ca <status|rotate> [flags]

The trust domain's signing keys: the X.509 CA that signs X509-SVIDs and the JWT keys that sign
JWT-SVIDs and access tokens. Keys rotate on their own (prepared and published ahead, active on
schedule, retired keys published until what they signed has expired).

  status               every key, its state, and when the next rotation is due
  rotate               rotate now (for a suspected compromise, or to apply a change at once)

Run tessera ca <subcommand> --help for its flags.`;

const STATUS_HELP = `Usage: tessera ca status [--json]\n\n${CLIENT_FLAGS}`;
const ROTATE_HELP = `Usage: tessera ca rotate [--kind jwt|x509-ca|all] [--json]

The prepared successor (already published to relying parties) takes over at once, or a fresh
key when none is prepared; the replaced key stays published until every token or certificate it
signed has expired. Audited (ca.key.prepare, ca.key.activate, ca.key.retire).
  --kind KIND          jwt, x509-ca or all (default all)
${CLIENT_FLAGS}`;

const KINDS = ['jwt', 'x509-ca', 'all'] as const;

function human(s: CaStatus): string {
  const when = (t: string | null) => t ?? '-';
  return [
    `trust domain ${s.trustDomain}; JWT ${s.jwtAlg}; svidMaxTtl ${s.svidMaxTtl}, caTtl ${s.caTtl}, jwtKeyTtl ${s.jwtKeyTtl}${s.intermediate ? '; CA is an intermediate under the operator root' : ''}`,
    `jwt      active ${s.jwt.active ?? '-'}  next ${s.jwt.prepared ?? '(not prepared yet)'}  takes over ${when(s.jwt.activateAt)}`,
    `x509-ca  active ${s.x509Ca.active ?? '-'}  next ${s.x509Ca.prepared ?? `(prepared at ${when(s.x509Ca.prepareAt)})`}  takes over ${when(s.x509Ca.activateAt)}`,
    `bundle sequence ${s.sequence}`,
    '',
    table(s.keys.map((k) => ({
      kid: k.kid, purpose: k.purpose, alg: k.alg, status: k.status, published: k.published ? 'yes' : 'no',
      created: k.createdAt, 'not after': k.notAfter, 'published until': k.publishUntil,
    })), ['kid', 'purpose', 'alg', 'status', 'published', 'created', 'not after', 'published until']),
  ].join('\n');
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'status') {
    const { values: v } = parse(rest, CLIENT_OPTIONS);
    if (v.help) { io.out(STATUS_HELP); return EXIT.OK; }
    printResult(io, await connect(v, io).request<CaStatus>('GET', '/v1/ca'), v.json, human);
    return EXIT.OK;
  }
  if (sub === 'rotate') {
    const { values: v } = parse(rest, { ...CLIENT_OPTIONS, kind: { type: 'string' } });
    if (v.help) { io.out(ROTATE_HELP); return EXIT.OK; }
    const kind = v.kind ?? 'all';
    if (!(KINDS as readonly string[]).includes(kind)) {
      throw new TesseraError('ERR_INVALID_INPUT', `--kind: must be one of ${KINDS.join(', ')}`, { field: '--kind', rule: 'enum' });
    }
    const s = await connect(v, io).request<CaStatus>('POST', '/v1/ca/rotate', { kind });
    printResult(io, s, v.json, (st) => `rotated ${kind}\n${human(st)}`);
    return EXIT.OK;
  }
  io.err(sub === undefined ? HELP : `tessera ca: unknown subcommand "${sub}"; use status or rotate`);
  return EXIT.USAGE;
}
