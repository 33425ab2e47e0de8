import { CLIENT_OPTIONS, keyValues, parse, type Options } from '../args.ts';
import { connect, failExit, printResult, table, type ApiClient } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { runKey } from './identity-key.ts';

/** An identity as the server returns it (see src/http/routes/identities.ts). */
interface IdentityJson {
  id: string; spiffeId: string; owner: string; environment: string; tier: number; maxTtl: number; maxTtlText: string;
  description: string; labels: Record<string, string>; staticException: { reason: string; expiresAt: string } | null;
  createdAt: string; createdBy: string; updatedAt: string; updatedBy: string; disabledAt: string | null; disabledBy: string | null;
  bearerForbidden?: boolean;
}
interface PageJson { items: IdentityJson[]; nextCursor: string | null }

const COMMON_HELP = `  --server URL   Tessera server (default http://127.0.0.1:8080, or TESSERA_SERVER)
  --data DIR     the server's data folder holding the admin key (default ./.tessera, or TESSERA_DATA)
  --json         print machine-readable JSON
  -h, --help     this help`;

const FIELD_FLAGS = `  --owner NAME                       owning team or person (required on create)
  --env ENV                          environment: prod, staging, dev, … (required on create; cannot change)
  --tier 1|2|3                       1 = customer data / production infra / artifact publishing,
                                     2 = non-production privileged, 3 = low-risk
  --ttl DURATION                     maximum credential lifetime, e.g. 15m or 900 (tier 1 ≤ 1h, 2 ≤ 24h, 3 ≤ 7d)
  --description TEXT
  --label KEY=VALUE                  repeatable
  --static-exception-reason TEXT     allow a static credential for now, and say why
  --static-exception-expires TIME    when that exception ends (ISO-8601, required with a reason)
  --bearer-forbidden                 issue only sender-constrained tokens (DPoP or mTLS-bound) to it
  --no-bearer-forbidden              allow bearer tokens again (the default)`;

const HELP: Record<string, string> = {
  '': `Usage: tessera identity <command> [flags]

Registers and governs machine identities: a SPIFFE ID with an owner, an environment, a tier
and a maximum credential lifetime.

Commands:
  create    register an identity
  list      list identities (filters, pagination)
  get       show one identity
  update    change owner, tier, TTL, description, labels or the static-credential exception
  disable   stop issuing credentials to an identity
  enable    re-enable a disabled identity
  delete    remove an identity
  key       static API keys (tsk_) for identities with a static-credential exception (create|list|revoke)

Run tessera identity <command> --help for the flags of each.`,
  create: `Usage: tessera identity create --spiffe-id ID --owner NAME --env ENV --tier N --ttl DURATION [flags]

  --spiffe-id ID                     spiffe://<trust domain>/<path> (required)
${FIELD_FLAGS}
${COMMON_HELP}

Example: tessera identity create --spiffe-id spiffe://tessera.local/ns/prod/sa/payments \\
           --owner team-payments --env prod --tier 1 --ttl 15m`,
  list: `Usage: tessera identity list [flags]

  --owner NAME       only identities with this owner
  --env ENV          only this environment
  --tier N           only this tier
  --label KEY=VALUE  only identities carrying this label (repeatable: all must match)
  --limit N          page size, 1..500 (default 100)
  --cursor C         continue from the cursor the previous page printed
  --all              fetch every page
${COMMON_HELP}`,
  get: `Usage: tessera identity get <ID | SPIFFE ID> [flags]

  --spiffe-id ID     the identity, instead of the argument
${COMMON_HELP}`,
  update: `Usage: tessera identity update <ID | SPIFFE ID> [flags]

Changes only the fields given. --label replaces the whole label set.
  --spiffe-id ID                     the identity, instead of the argument
${FIELD_FLAGS}
  --clear-labels                     remove every label
  --clear-static-exception           end the static-credential exception now
${COMMON_HELP}`,
  disable: `Usage: tessera identity disable <ID | SPIFFE ID> [flags]

The identity stays registered but gets no new credentials. Disabling twice is harmless.
  --spiffe-id ID     the identity, instead of the argument
${COMMON_HELP}`,
  enable: `Usage: tessera identity enable <ID | SPIFFE ID> [flags]

  --spiffe-id ID     the identity, instead of the argument
${COMMON_HELP}`,
  delete: `Usage: tessera identity delete <ID | SPIFFE ID> [flags]

  --spiffe-id ID     the identity, instead of the argument
${COMMON_HELP}`,
};

const REF = { 'spiffe-id': { type: 'string' } } as const satisfies Options;
const FIELDS = {
  owner: { type: 'string' }, env: { type: 'string' }, tier: { type: 'string' }, ttl: { type: 'string' },
  description: { type: 'string' }, label: { type: 'string', multiple: true },
  'static-exception-reason': { type: 'string' }, 'static-exception-expires': { type: 'string' },
  'bearer-forbidden': { type: 'boolean' }, 'no-bearer-forbidden': { type: 'boolean' },
} as const satisfies Options;
const OPTIONS = {
  create: { ...CLIENT_OPTIONS, ...REF, ...FIELDS },
  update: { ...CLIENT_OPTIONS, ...REF, ...FIELDS, 'clear-labels': { type: 'boolean' }, 'clear-static-exception': { type: 'boolean' } },
  list: {
    ...CLIENT_OPTIONS, owner: { type: 'string' }, env: { type: 'string' }, tier: { type: 'string' },
    label: { type: 'string', multiple: true }, limit: { type: 'string' }, cursor: { type: 'string' }, all: { type: 'boolean' },
  },
  one: { ...CLIENT_OPTIONS, ...REF },
} as const satisfies Record<string, Options>;

const usage = (flag: string, message: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: ${message}`, { field: flag, rule: 'usage' });

function integer(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw usage(flag, `"${value}" must be a whole number`);
  return Number(value);
}

/** The identity a command acts on: the argument or --spiffe-id, exactly one of them. */
function refOf(positionals: string[], spiffeId: string | undefined, command: string): string {
  const given = [...positionals, ...(spiffeId !== undefined ? [spiffeId] : [])];
  if (given.length === 0) throw usage('arguments', `tessera identity ${command} needs an identity id or SPIFFE ID`);
  if (given.length > 1) throw usage('arguments', 'give the identity once: as the argument or with --spiffe-id');
  return given[0]!;
}

const path = (ref: string) => `/v1/identities/${encodeURIComponent(ref)}`;

type FieldValues = { owner?: string; env?: string; tier?: string; ttl?: string; description?: string; label?: string[];
  'static-exception-reason'?: string; 'static-exception-expires'?: string;
  'bearer-forbidden'?: boolean; 'no-bearer-forbidden'?: boolean };

/** Flags → request body; only the flags given appear, so update stays partial. */
function bodyOf(v: FieldValues): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (v.owner !== undefined) body.owner = v.owner;
  if (v.env !== undefined) body.environment = v.env;
  if (v.tier !== undefined) body.tier = integer(v.tier, '--tier');
  if (v.ttl !== undefined) body.ttl = v.ttl;
  if (v.description !== undefined) body.description = v.description;
  const labels = keyValues(v.label, '--label');
  if (labels) body.labels = labels;
  const reason = v['static-exception-reason'];
  const expires = v['static-exception-expires'];
  if (expires !== undefined && reason === undefined) throw usage('--static-exception-expires', 'needs --static-exception-reason');
  // An exception without an expiry is sent as is: the server refuses it with the guardrail's code.
  if (reason !== undefined) body.staticException = { reason, ...(expires !== undefined ? { expiresAt: expires } : {}) };
  if (v['bearer-forbidden'] && v['no-bearer-forbidden']) throw usage('--no-bearer-forbidden', 'cannot be combined with --bearer-forbidden');
  if (v['bearer-forbidden']) body.bearerForbidden = true;
  if (v['no-bearer-forbidden']) body.bearerForbidden = false;
  return body;
}

function describeOne(i: IdentityJson): string {
  const labels = Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(', ');
  const lines: [string, string][] = [
    ['id', i.id], ['spiffe id', i.spiffeId], ['owner', i.owner], ['environment', i.environment], ['tier', String(i.tier)],
    ['max ttl', `${i.maxTtlText} (${i.maxTtl}s)`], ['status', i.disabledAt ? `disabled at ${i.disabledAt} by ${i.disabledBy}` : 'enabled'],
    ['description', i.description || '-'], ['labels', labels || '-'],
    ['static exception', i.staticException ? `${i.staticException.reason} (expires ${i.staticException.expiresAt})` : '-'],
    ['bearer tokens', i.bearerForbidden ? 'forbidden (DPoP or mTLS-bound only)' : 'allowed'],
    ['created', `${i.createdAt} by ${i.createdBy}`], ['updated', `${i.updatedAt} by ${i.updatedBy}`],
  ];
  const width = Math.max(...lines.map(([k]) => k.length));
  return lines.map(([k, v]) => `${`${k}:`.padEnd(width + 1)} ${v}`).join('\n');
}

function describeList(p: PageJson): string {
  if (p.items.length === 0) return 'no identities';
  const rows = p.items.map((i) => ({
    spiffe_id: i.spiffeId, owner: i.owner, env: i.environment, tier: i.tier, max_ttl: i.maxTtlText,
    status: i.disabledAt ? 'disabled' : 'enabled', labels: Object.entries(i.labels).map(([k, v]) => `${k}=${v}`).join(',') || '-',
  }));
  const out = table(rows, ['spiffe_id', 'owner', 'env', 'tier', 'max_ttl', 'status', 'labels']);
  return p.nextCursor ? `${out}\nmore: tessera identity list … --cursor ${p.nextCursor} (or --all)` : out;
}

async function list(api: ApiClient, v: { owner?: string; env?: string; tier?: string; label?: string[]; limit?: string; cursor?: string; all?: boolean }): Promise<PageJson> {
  const q = new URLSearchParams();
  if (v.owner !== undefined) q.set('owner', v.owner);
  if (v.env !== undefined) q.set('environment', v.env);
  if (v.tier !== undefined) q.set('tier', String(integer(v.tier, '--tier')));
  for (const l of v.label ?? []) q.append('label', l);
  if (v.limit !== undefined) q.set('limit', String(integer(v.limit, '--limit')));
  let cursor = v.cursor;
  const items: IdentityJson[] = [];
  for (;;) {
    if (cursor !== undefined) q.set('cursor', cursor);
    const page = await api.request<PageJson>('GET', `/v1/identities?${q}`);
    items.push(...page.items);
    if (!v.all || !page.nextCursor) return { items, nextCursor: page.nextCursor };
    // A server that handed back the same cursor would loop forever.
    if (page.nextCursor === cursor) throw new TesseraError('ERR_INTERNAL', 'the server returned the same page cursor twice');
    cursor = page.nextCursor;
  }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [command = '', ...rest] = argv;
  if (command === '' || command === '--help' || command === '-h' || command === 'help') {
    io.out(HELP['']!);
    return command === '' ? EXIT.USAGE : EXIT.OK;
  }
  if (command === 'key') return runKey(rest, io);
  if (!Object.hasOwn(HELP, command)) {
    io.err(`tessera identity: unknown command "${command}"; commands: create, list, get, update, disable, enable, delete, key`);
    return EXIT.USAGE;
  }
  const json = rest.includes('--json');
  try {
    if (command === 'create') {
      const { values: v } = parse(rest, OPTIONS.create);
      if (v.help) { io.out(HELP.create!); return EXIT.OK; }
      if (v['spiffe-id'] === undefined) throw usage('--spiffe-id', 'is required');
      const body = { spiffeId: v['spiffe-id'], ...bodyOf(v) };
      const api = connect(v, io);
      printResult(io, await api.request<IdentityJson>('POST', '/v1/identities', body), v.json, describeOne);
      return EXIT.OK;
    }
    if (command === 'list') {
      const { values: v } = parse(rest, OPTIONS.list);
      if (v.help) { io.out(HELP.list!); return EXIT.OK; }
      if (v.all && v.cursor !== undefined) throw usage('--all', 'cannot be combined with --cursor');
      const api = connect(v, io);
      printResult(io, await list(api, v), v.json, describeList);
      return EXIT.OK;
    }
    if (command === 'update') {
      const { values: v, positionals } = parse(rest, OPTIONS.update, 1);
      if (v.help) { io.out(HELP.update!); return EXIT.OK; }
      const ref = refOf(positionals, v['spiffe-id'], command);
      const body = bodyOf(v);
      if (v['clear-labels']) {
        if (body.labels) throw usage('--clear-labels', 'cannot be combined with --label');
        body.labels = null;
      }
      if (v['clear-static-exception']) {
        if (body.staticException) throw usage('--clear-static-exception', 'cannot be combined with --static-exception-reason');
        body.staticException = null;
      }
      if (Object.keys(body).length === 0) throw usage('arguments', 'nothing to change: give at least one field flag (see --help)');
      const api = connect(v, io);
      printResult(io, await api.request<IdentityJson>('PATCH', path(ref), body), v.json, describeOne);
      return EXIT.OK;
    }
    // get, disable, enable, delete: one identity, no other flags.
    const { values: v, positionals } = parse(rest, OPTIONS.one, 1);
    if (v.help) { io.out(HELP[command]!); return EXIT.OK; }
    const ref = refOf(positionals, v['spiffe-id'], command);
    const api = connect(v, io);
    if (command === 'get') {
      printResult(io, await api.request<IdentityJson>('GET', path(ref)), v.json, describeOne);
    } else if (command === 'delete') {
      await api.request('DELETE', path(ref));
      printResult(io, { deleted: ref }, v.json, () => `deleted ${ref}`);
    } else {
      printResult(io, await api.request<IdentityJson>('POST', `${path(ref)}/${command}`), v.json, describeOne);
    }
    return EXIT.OK;
  } catch (e) {
    return failExit(io, e, json);
  }
}
