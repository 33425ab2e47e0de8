import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --token-file FILE    act as another principal: a file holding its access token (or TESSERA_TOKEN);
                       approving and denying need a principal with the approver role
  --json               print machine-readable JSON`;

const HELP = `Usage: tessera elevation <request|approve|deny|revoke|list> [flags]

  request              ask for a role or an audience for a while (default 1h, at most 8h)
  approve ID           approve a request: its window starts now (approver role; not the requester)
  deny ID              deny a request
  revoke ID            end a pending or running elevation now (admin or the requester)
  list                 requests and elevations, newest first

Run tessera elevation <subcommand> --help for its flags.`;

const REQUEST_HELP = `Usage: tessera elevation request --subject ID (--audience AUD | --role ROLE) --reason R [--duration 1h] [--json]

  --subject ID         the SPIFFE ID or principal id that gets the grant
  --audience AUD       the audience it may obtain tokens for
  --role ROLE          or the role it gets (admin, approver, auditor, workload)
  --duration D         how long after approval (default 1h, at most 8h)
  --reason R           why (required)
${CLIENT_FLAGS}`;

const OPTIONS = { ...CLIENT_OPTIONS, 'token-file': { type: 'string' } } as const;

interface ElevationView {
  id: string; subject: string; grant: { role?: string; audience?: string }; duration: string; reason: string; status: string;
  requestedBy: string; startsAt: string | null; expiresAt: string | null;
}

const required = (flag: string, what: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: is required (${what})`, { field: flag, rule: 'is required' });
const grantText = (g: ElevationView['grant']) => (g.audience !== undefined ? `audience ${g.audience}` : `role ${g.role}`);
const line = (e: ElevationView) => `${e.id}  ${e.status.padEnd(9)}  ${e.subject}  ${grantText(e.grant)}  ${e.duration}${e.expiresAt ? `  until ${e.expiresAt}` : ''}  by ${e.requestedBy}`;

type Flags = { server?: string | undefined; data?: string | undefined; 'token-file'?: string | undefined };

/** The admin client, or the same requests as the principal whose access token is given. */
const client = (v: Flags, io: CliIo) => connect({ ...v, tokenFile: v['token-file'] }, io);

async function request(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...OPTIONS, subject: { type: 'string' }, audience: { type: 'string' }, role: { type: 'string' }, duration: { type: 'string' }, reason: { type: 'string' } });
  if (v.help) { io.out(REQUEST_HELP); return EXIT.OK; }
  if (v.subject === undefined) throw required('--subject', 'a SPIFFE ID or principal id');
  if ((v.audience === undefined) === (v.role === undefined)) throw new TesseraError('ERR_INVALID_INPUT', '--audience: give exactly one of --audience or --role', { field: '--audience', rule: 'one of' });
  if (v.reason === undefined) throw required('--reason', 'why the elevation is needed');
  const grant = v.audience !== undefined ? { audience: v.audience } : { role: v.role };
  const e = await client(v, io).request<ElevationView>('POST', '/v1/elevations', { subject: v.subject, grant, reason: v.reason, ...(v.duration !== undefined ? { duration: v.duration } : {}) });
  printResult(io, e, v.json, (x) => `elevation ${x.id} requested: ${grantText(x.grant)} for ${x.subject}, ${x.duration} once approved`);
  return EXIT.OK;
}

function transition(verb: 'approve' | 'deny' | 'revoke') {
  return async (argv: string[], io: CliIo): Promise<number> => {
    const { values: v, positionals } = parse(argv, { ...OPTIONS, ...(verb === 'revoke' ? {} : { reason: { type: 'string' } }) }, 1);
    if (v.help) { io.out(`Usage: tessera elevation ${verb} ID${verb === 'revoke' ? '' : ' [--reason R]'} [--json]\n${CLIENT_FLAGS}`); return EXIT.OK; }
    const id = positionals[0];
    if (id === undefined) throw required('ID', `the elevation to ${verb}`);
    const reason = (v as { reason?: string }).reason;
    const e = await client(v, io).request<ElevationView>('POST', `/v1/elevations/${encodeURIComponent(id)}/${verb}`, verb === 'revoke' ? undefined : (reason !== undefined ? { reason } : {}));
    printResult(io, e, v.json, (x) => `elevation ${x.id} ${x.status}${x.status === 'approved' ? ` until ${x.expiresAt}` : ''}`);
    return EXIT.OK;
  };
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...OPTIONS, subject: { type: 'string' }, status: { type: 'string' } });
  if (v.help) { io.out(`Usage: tessera elevation list [--subject ID] [--status requested|approved|denied|revoked|expired] [--json]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const q = new URLSearchParams();
  if (v.subject !== undefined) q.set('subject', v.subject);
  if (v.status !== undefined) q.set('status', v.status);
  const qs = q.toString();
  const page = await client(v, io).request<{ items: ElevationView[] }>('GET', `/v1/elevations${qs ? `?${qs}` : ''}`);
  printResult(io, page, v.json, (p) => (p.items.length === 0 ? 'no elevations' : p.items.map(line).join('\n')));
  return EXIT.OK;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  const subs: Record<string, (a: string[], io: CliIo) => Promise<number>> = {
    request, approve: transition('approve'), deny: transition('deny'), revoke: transition('revoke'), list,
  };
  const fn = sub === undefined ? undefined : subs[sub];
  if (fn) return fn(rest, io);
  io.err(sub === undefined ? HELP : `tessera elevation: unknown subcommand "${sub}"; use request, approve, deny, revoke or list`);
  return EXIT.USAGE;
}
