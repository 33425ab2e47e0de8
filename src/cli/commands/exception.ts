import { writeFileSync } from 'node:fs';
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               print machine-readable JSON`;

const HELP = `Usage: tessera exception <create|list|revoke|debt|export> [flags]

  create               a named, owned, approved exception to one policy or rule; it always expires
  list                 active exceptions (--all: expired and revoked too)
  revoke NAME          end an exception now
  debt                 how many exceptions, how old, for which policies, owned by whom
  export --out FILE    active exceptions as YAML, for tessera policy check --exceptions FILE

Run tessera exception <subcommand> --help for its flags.`;

const CREATE_HELP = `Usage: tessera exception create --name NAME --policy P (--identity SPIFFE_ID | --namespace NS [--kind K] [--resource NAME])
                                --reason R --owner O --approver PRINCIPAL --expires 7d|ISO-8601 [--json]

  --name NAME          lowercase letters, digits and dashes; names are never reused
  --policy P           the policy or rule it exempts from
  --identity ID        a SPIFFE ID or a glob ("*" within a segment, "**" across)
  --namespace NS       a Kubernetes namespace (with --kind and --resource to narrow it)
  --reason R           why; shown in every decision it changes
  --owner O            who pays the debt back
  --approver P         the principal who approved it (not you)
  --expires D          a duration (7d, at most the server's exceptionMaxTtl, default 30d) or a date-time
${CLIENT_FLAGS}`;

interface ExceptionView {
  name: string; policy: string; scope: Record<string, string>; reason: string; owner: string; approver: string;
  status: string; createdAt: string; expiresAt: string; revokedAt: string | null;
}

const required = (flag: string, what: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: is required (${what})`, { field: flag, rule: 'is required' });
const scopeText = (s: Record<string, string>) => Object.entries(s).map(([k, v]) => `${k}=${v}`).join(',');
const line = (e: ExceptionView) => `${e.name}  ${e.status.padEnd(7)}  ${e.policy}  ${scopeText(e.scope)}  owner ${e.owner}  expires ${e.expiresAt}`;

async function create(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, {
    ...CLIENT_OPTIONS, name: { type: 'string' }, policy: { type: 'string' }, identity: { type: 'string' }, namespace: { type: 'string' },
    kind: { type: 'string' }, resource: { type: 'string' }, reason: { type: 'string' }, owner: { type: 'string' }, approver: { type: 'string' },
    expires: { type: 'string' },
  });
  if (v.help) { io.out(CREATE_HELP); return EXIT.OK; }
  for (const [flag, what] of [['name', 'a name for the exception'], ['policy', 'the policy or rule'], ['reason', 'why'], ['owner', 'who owns it'],
    ['approver', 'the approving principal'], ['expires', 'e.g. 7d or 2026-01-31T00:00:00Z']] as const) {
    if (v[flag] === undefined) throw required(`--${flag}`, what);
  }
  if (v.identity === undefined && v.namespace === undefined && v.kind === undefined && v.resource === undefined) {
    throw required('--identity', 'or --namespace/--kind/--resource: what the exception covers');
  }
  const scope = {
    ...(v.identity !== undefined ? { identity: v.identity } : {}), ...(v.namespace !== undefined ? { namespace: v.namespace } : {}),
    ...(v.kind !== undefined ? { kind: v.kind } : {}), ...(v.resource !== undefined ? { name: v.resource } : {}),
  };
  // A date-time is an absolute expiry; anything else is a duration the server measures from its own clock.
  const expiry = /^\d{4}-\d{2}-\d{2}T/.test(v.expires!) ? { expiresAt: v.expires } : { expiresIn: v.expires };
  const created = await connect(v, io).request<ExceptionView>('POST', '/v1/exceptions', {
    name: v.name, policy: v.policy, scope, reason: v.reason, owner: v.owner, approver: v.approver, ...expiry,
  });
  printResult(io, created, v.json, (e) => `exception ${e.name} created: ${e.policy} for ${scopeText(e.scope)}, expires ${e.expiresAt}`);
  return EXIT.OK;
}

async function list(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, all: { type: 'boolean' }, policy: { type: 'string' }, status: { type: 'string' } });
  if (v.help) { io.out(`Usage: tessera exception list [--all | --status active|expired|revoked] [--policy P] [--json]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const q = new URLSearchParams();
  if (v.status !== undefined) q.set('status', v.status);
  else if (!v.all) q.set('status', 'active');
  if (v.policy !== undefined) q.set('policy', v.policy);
  const qs = q.toString();
  const page = await connect(v, io).request<{ items: ExceptionView[] }>('GET', `/v1/exceptions${qs ? `?${qs}` : ''}`);
  printResult(io, page, v.json, (p) => (p.items.length === 0 ? 'no exceptions' : p.items.map(line).join('\n')));
  return EXIT.OK;
}

async function revoke(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, CLIENT_OPTIONS, 1);
  if (v.help) { io.out(`Usage: tessera exception revoke NAME [--json]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  const name = positionals[0];
  if (name === undefined) throw required('NAME', 'the exception to revoke');
  const r = await connect(v, io).request<ExceptionView>('POST', `/v1/exceptions/${encodeURIComponent(name)}/revoke`);
  printResult(io, r, v.json, (e) => `exception ${e.name} revoked at ${e.revokedAt}`);
  return EXIT.OK;
}

async function debt(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, CLIENT_OPTIONS);
  if (v.help) { io.out(`Usage: tessera exception debt [--json]\n${CLIENT_FLAGS}`); return EXIT.OK; }
  type Debt = { active: number; expired: number; revoked: number; oldestAgeSeconds: number; byPolicy: Record<string, number>; byOwner: Record<string, number> };
  const d = await connect(v, io).request<Debt>('GET', '/v1/exceptions/debt');
  const table = (r: Record<string, number>) => Object.entries(r).sort((a, b) => b[1] - a[1]).map(([k, n]) => `    ${String(n).padStart(4)}  ${k}`).join('\n') || '    (none)';
  printResult(io, d, v.json, (x) => [
    `active ${x.active}, expired ${x.expired}, revoked ${x.revoked}; oldest active ${Math.floor(x.oldestAgeSeconds / 86_400)}d old`,
    '  by policy', table(x.byPolicy), '  by owner', table(x.byOwner),
  ].join('\n'));
  return EXIT.OK;
}

async function exportFile(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, out: { type: 'string' } });
  if (v.help) { io.out(`Usage: tessera exception export --out FILE\n\nActive exceptions as YAML, for tessera policy check --exceptions FILE.\n${CLIENT_FLAGS}`); return EXIT.OK; }
  if (v.out === undefined) throw required('--out', 'the YAML file to write ("-" for stdout)');
  const res = await connect(v, io).fetch('GET', '/v1/exceptions?status=active&format=yaml');
  const yaml = await res.text();
  if (v.out === '-') io.out(yaml);
  else { writeFileSync(v.out, yaml); io.err(`active exceptions written to ${v.out}`); }
  return EXIT.OK;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  const subs: Record<string, (a: string[], io: CliIo) => Promise<number>> = { create, list, revoke, debt, export: exportFile };
  const fn = sub === undefined ? undefined : subs[sub];
  if (fn) return fn(rest, io);
  io.err(sub === undefined ? HELP : `tessera exception: unknown subcommand "${sub}"; use create, list, revoke, debt or export`);
  return EXIT.USAGE;
}
