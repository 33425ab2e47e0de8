import { createPublicKey, type JsonWebKey } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult, table } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { ROLES } from '../../shared/context.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               machine-readable output`;

const HELP = `Usage: tessera principal <list|add|disable> [flags]

Principals are who may obtain access tokens: each has roles (${ROLES.join(', ')}) and a public
key, and signs short RFC 7523 assertions with its private key at POST /oauth2/token.

  list                 every principal, with its roles and whether it is disabled
  add                  register a principal and its public key
  disable ID           stop a principal: no new tokens, and its current tokens stop working

Run tessera principal <subcommand> --help for its flags.`;

const ADD_HELP = `Usage: tessera principal add --id ID --role ROLE [--role ROLE…] --public-key FILE [--description TEXT]

  --id ID              1–128 characters of a-z 0-9 . _ : / -
  --role ROLE          ${ROLES.join(', ')} (repeat for several)
  --public-key FILE    the principal's public key: a JWK (JSON) or a PEM public key, EC P-256
                       (signs ES256) or Ed25519 (signs EdDSA). Never the private key.
  --description TEXT   what the principal is for
${CLIENT_FLAGS}`;

const LIST_HELP = `Usage: tessera principal list [--json]\n\n${CLIENT_FLAGS}`;
const DISABLE_HELP = `Usage: tessera principal disable ID [--json]\n\n${CLIENT_FLAGS}`;

interface PrincipalView { id: string; roles: string[]; jwkThumbprint: string; description: string; createdAt: string; disabledAt: string | null }

const badKey = (rule: string) => new TesseraError('ERR_INVALID_INPUT', `--public-key: ${rule}`, { field: '--public-key', rule });

/** Reads a public key file (JWK or PEM) into a JWK; a private key is refused before anything is sent. */
export function readPublicKeyFile(path: string): JsonWebKey {
  let text: string;
  try { text = readFileSync(path, 'utf8'); } catch (e) { throw badKey(`cannot read ${path}: ${(e as Error).message}`); }
  if (/PRIVATE KEY/.test(text)) throw badKey(`${path} holds a private key; give the public key only (it never leaves the principal)`);
  if (text.trimStart().startsWith('{')) {
    let jwk: Record<string, unknown>;
    try { jwk = JSON.parse(text) as Record<string, unknown>; } catch { throw badKey(`${path} is not valid JSON`); }
    if ('d' in jwk) throw badKey(`${path} holds a private JWK (it has "d"); give the public key only`);
    return jwk as JsonWebKey;
  }
  try {
    return createPublicKey(text).export({ format: 'jwk' });
  } catch {
    throw badKey(`${path} is neither a JWK nor a PEM public key`);
  }
}

const row = (p: PrincipalView) => ({ id: p.id, roles: p.roles.join(','), status: p.disabledAt ? 'disabled' : 'enabled', key: p.jwkThumbprint.slice(0, 12), description: p.description });

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'list') {
    const { values: v } = parse(rest, CLIENT_OPTIONS);
    if (v.help) { io.out(LIST_HELP); return EXIT.OK; }
    const { items } = await connect(v, io).request<{ items: PrincipalView[] }>('GET', '/v1/principals');
    printResult(io, items, v.json, (list) => table(list.map(row), ['id', 'roles', 'status', 'key', 'description']));
    return EXIT.OK;
  }
  if (sub === 'add') {
    const { values: v } = parse(rest, {
      ...CLIENT_OPTIONS, id: { type: 'string' }, role: { type: 'string', multiple: true },
      'public-key': { type: 'string' }, description: { type: 'string' },
    });
    if (v.help) { io.out(ADD_HELP); return EXIT.OK; }
    for (const flag of ['id', 'role', 'public-key'] as const) {
      if (v[flag] === undefined) throw new TesseraError('ERR_INVALID_INPUT', `--${flag}: is required (see tessera principal add --help)`, { field: `--${flag}`, rule: 'is required' });
    }
    const body = { id: v.id, roles: v.role, publicJwk: readPublicKeyFile(v['public-key']!), ...(v.description !== undefined ? { description: v.description } : {}) };
    const p = await connect(v, io).request<PrincipalView>('POST', '/v1/principals', body);
    printResult(io, p, v.json, (x) => `registered principal ${x.id} (roles ${x.roles.join(', ')}; key ${x.jwkThumbprint})`);
    return EXIT.OK;
  }
  if (sub === 'disable') {
    const { values: v, positionals } = parse(rest, CLIENT_OPTIONS, 1);
    if (v.help) { io.out(DISABLE_HELP); return EXIT.OK; }
    const id = positionals[0];
    if (id === undefined) throw new TesseraError('ERR_INVALID_INPUT', 'ID: which principal to disable is required', { field: 'ID', rule: 'is required' });
    const p = await connect(v, io).request<PrincipalView>('POST', `/v1/principals/${encodeURIComponent(id)}/disable`);
    printResult(io, p, v.json, (x) => `principal ${x.id} is disabled (since ${x.disabledAt})`);
    return EXIT.OK;
  }
  io.err(sub === undefined ? HELP : `tessera principal: unknown subcommand "${sub}"; use list, add or disable`);
  return EXIT.USAGE;
}
