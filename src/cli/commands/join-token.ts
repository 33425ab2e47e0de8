import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               print machine-readable JSON`;

const HELP = `Usage: tessera join-token <create|list> [flags]

  create               a single-use, short-lived token that a node or agent with no other proof
                       exchanges (RFC 8693, subject_token_type urn:tessera:params:oauth:token-type:join-token)
                       for a token of the identity
  list                 join tokens and their status (active, used, expired); never the tokens

Run tessera join-token <subcommand> --help for its flags.`;

const CREATE_HELP = `Usage: tessera join-token create --identity ID [--ttl DURATION] [--json]

Prints the join token once: only its SHA-256 is stored, so it cannot be shown again. It can be
used once, before it expires, and only while the identity is enabled.
  --identity ID        the identity's id or SPIFFE ID
  --ttl DURATION       how long it stays usable, e.g. 90s, 10m (default 10m, at most 1h)
${CLIENT_FLAGS}`;

const LIST_HELP = `Usage: tessera join-token list [--identity ID] [--limit N] [--json]

  --identity ID        only the join tokens of this identity
  --limit N            at most N (1-500, default 100)
${CLIENT_FLAGS}`;

interface JoinTokenView {
  id: string; identityId: string; spiffeId: string | null; status: string;
  createdAt: string; createdBy: string; expiresAt: string; usedAt: string | null; token?: string;
}

const required = (flag: string, what: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: is required (${what})`, { field: flag, rule: 'is required' });

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, identity: { type: 'string' }, ttl: { type: 'string' } });
  if (v.help) { io.out(CREATE_HELP); return EXIT.OK; }
  if (v.identity === undefined) throw required('--identity', 'an identity id or SPIFFE ID');
  // A number of seconds is sent as a number, so "600" and 600 mean the same.
  const ttl = v.ttl === undefined ? undefined : /^\d+$/.test(v.ttl) ? Number(v.ttl) : v.ttl;
  const created = await connect(v, io).request<JoinTokenView>('POST', '/v1/join-tokens', { identity: v.identity, ...(ttl === undefined ? {} : { ttl }) });
  // The token alone on stdout, so that $(tessera join-token create …) captures exactly it.
  printResult(io, created, v.json, (t) => t.token ?? '');
  if (!v.json) io.err(`join token ${created.id} for ${created.spiffeId}: single use, expires ${created.expiresAt}; it is not shown again`);
  return EXIT.OK;
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, identity: { type: 'string' }, limit: { type: 'string' } });
  if (v.help) { io.out(LIST_HELP); return EXIT.OK; }
  const q = new URLSearchParams();
  if (v.identity !== undefined) q.set('identity', v.identity);
  if (v.limit !== undefined) {
    if (!/^\d+$/.test(v.limit)) throw new TesseraError('ERR_INVALID_INPUT', '--limit: must be a whole number from 1 to 500', { field: '--limit', rule: 'integer 1-500' });
    q.set('limit', v.limit);
  }
  const qs = q.toString();
  const page = await connect(v, io).request<{ items: JoinTokenView[] }>('GET', `/v1/join-tokens${qs ? `?${qs}` : ''}`);
  printResult(io, page, v.json, (p) => (p.items.length === 0 ? 'no join tokens'
    : p.items.map((t) => `${t.id}  ${t.status.padEnd(7)}  ${t.spiffeId ?? `(deleted identity ${t.identityId})`}  expires ${t.expiresAt}${t.usedAt ? `  used ${t.usedAt}` : ''}`).join('\n')));
  return EXIT.OK;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'create') return create(rest, io);
  if (sub === 'list') return list(rest, io);
  io.err(sub === undefined ? HELP : `tessera join-token: unknown subcommand "${sub}"; use create or list`);
  return EXIT.USAGE;
}
