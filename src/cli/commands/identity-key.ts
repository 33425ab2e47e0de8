// `tessera identity key …`: static API keys (tsk_) for identities that hold a static-credential
// exception. Dispatched from identity.ts.
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, failExit, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { describeRevocation, type RevocationJson } from './revoke.ts';

interface StaticKeyJson {
  id: string; identityId: string; spiffeId: string; owner: string; last4: string; status: string;
  createdAt: string; createdBy: string; expiresAt: string; revokedAt: string | null; key?: string;
}

const COMMON = `  --server URL   Tessera server (default http://127.0.0.1:8080, or TESSERA_SERVER)
  --data DIR     the server's data folder holding the admin key (default ./.tessera, or TESSERA_DATA)
  --json         print machine-readable JSON
  -h, --help     this help`;

export const KEY_HELP: Record<string, string> = {
  '': `Usage: tessera identity key <command> [flags]

Static API keys (tsk_…) for legacy systems that cannot use short-lived credentials yet. Each key
has an owner and an expiry, is shown once, stored only as a hash, and revocable.

Commands:
  create    issue a key for an identity
  list      list an identity's keys (never the keys themselves)
  revoke    revoke a key by its id`,
  create: `Usage: tessera identity key create --identity ID --expires DURATION|TIME [flags]

  --identity ID        identity id or SPIFFE ID (required)
  --expires WHEN       required: a duration such as 30d, or an ISO-8601 time. Tier 1 keys live at
                       most 30 days and need a static-credential exception on the identity; no key
                       outlives the identity's exception
  --owner NAME         who answers for the key (default: the identity's owner)
${COMMON}

The key is printed once: store it in the legacy system's secret store now.`,
  list: `Usage: tessera identity key list --identity ID [flags]

  --identity ID        identity id or SPIFFE ID (required)
${COMMON}`,
  revoke: `Usage: tessera identity key revoke KEYID [flags]

  --reason TEXT        why (kept with the revocation and in the audit log)
  --detected-at TIME   when the key was reported or detected (ISO-8601; default now)
${COMMON}`,
};

const OPTIONS = {
  create: { ...CLIENT_OPTIONS, identity: { type: 'string' }, expires: { type: 'string' }, owner: { type: 'string' } },
  list: { ...CLIENT_OPTIONS, identity: { type: 'string' } },
  revoke: { ...CLIENT_OPTIONS, reason: { type: 'string' }, 'detected-at': { type: 'string' } },
} as const;

const usage = (flag: string, message: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: ${message}`, { field: flag, rule: 'usage' });
const keysPath = (identity: string) => `/v1/identities/${encodeURIComponent(identity)}/keys`;

function describeCreated(k: StaticKeyJson): string {
  return [
    `static key ${k.id} for ${k.spiffeId} (owner ${k.owner}), expires ${k.expiresAt}`,
    '',
    `  ${k.key}`,
    '',
    'This is the only time the key is shown: Tessera keeps only its hash. Store it now.',
  ].join('\n');
}

function describeList(items: StaticKeyJson[]): string {
  if (items.length === 0) return 'no static keys';
  return table(items.map((k) => ({
    id: k.id, key: `tsk_…${k.last4}`, owner: k.owner, status: k.status, expires: k.expiresAt, created: k.createdAt,
  })), ['id', 'key', 'owner', 'status', 'expires', 'created']);
}

export async function runKey(argv: string[], io: CliIo): Promise<number> {
  const [command = '', ...rest] = argv;
  if (command === '' || command === '--help' || command === '-h' || command === 'help') {
    io.out(KEY_HELP['']!);
    return command === '' ? EXIT.USAGE : EXIT.OK;
  }
  if (!Object.hasOwn(OPTIONS, command)) {
    io.err(`tessera identity key: unknown command "${command}"; commands: create, list, revoke`);
    return EXIT.USAGE;
  }
  const json = rest.includes('--json');
  try {
    if (command === 'create') {
      const { values: v } = parse(rest, OPTIONS.create);
      if (v.help) { io.out(KEY_HELP.create!); return EXIT.OK; }
      if (v.identity === undefined) throw usage('--identity', 'is required');
      // A missing --expires is sent as is: the server refuses it with the rule's own code.
      const body: Record<string, unknown> = {};
      if (v.expires !== undefined) body.expires = v.expires;
      if (v.owner !== undefined) body.owner = v.owner;
      const api = connect(v, io);
      printResult(io, await api.request<StaticKeyJson>('POST', keysPath(v.identity), body), v.json, describeCreated);
      return EXIT.OK;
    }
    if (command === 'list') {
      const { values: v } = parse(rest, OPTIONS.list);
      if (v.help) { io.out(KEY_HELP.list!); return EXIT.OK; }
      if (v.identity === undefined) throw usage('--identity', 'is required');
      const api = connect(v, io);
      const page = await api.request<{ items: StaticKeyJson[] }>('GET', keysPath(v.identity));
      printResult(io, page, v.json, (p) => describeList(p.items));
      return EXIT.OK;
    }
    const { values: v, positionals } = parse(rest, OPTIONS.revoke, 1);
    if (v.help) { io.out(KEY_HELP.revoke!); return EXIT.OK; }
    const keyId = positionals[0];
    if (keyId === undefined) throw usage('arguments', 'tessera identity key revoke needs a key id (see tessera identity key list)');
    const body: Record<string, unknown> = {};
    if (v.reason !== undefined) body.reason = v.reason;
    if (v['detected-at'] !== undefined) body.detectedAt = v['detected-at'];
    const api = connect(v, io);
    printResult(io, await api.request<RevocationJson>('POST', `/v1/static-keys/${encodeURIComponent(keyId)}/revoke`, body), v.json, describeRevocation);
    return EXIT.OK;
  } catch (e) {
    return failExit(io, e, json);
  }
}
