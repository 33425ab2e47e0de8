import { readFileSync } from 'node:fs';
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect, failExit, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

/** A revocation as the server returns it (see src/http/routes/revocations.ts). */
export interface RevocationJson {
  id: string; cursor: string; kind: 'jti' | 'identity' | 'static-key'; value: string;
  reason?: string; detectedAt?: string; revokedAt: string; expiresAt: string; revokedBy?: string;
}

const HELP = `Usage: tessera revoke (--jti JTI | --identity ID | --token-file FILE | --static-key KEYID) [flags]

Revokes a credential at once and durably: introspection answers {"active": false} for it from
the moment this command returns, and SDKs polling the deny-list feed drop it.

  --jti JTI            one JWT-SVID or access token, by its jti
  --identity ID        every token of an identity (id or SPIFFE ID) issued until now; the
                       identity is also disabled, so it gets no new credentials
  --token-file FILE    the token itself (a JWT-SVID, access token or tsk_ key), read from FILE
  --static-key KEYID   a static key, by its id (see tessera identity key list)
  --reason TEXT        why (kept with the revocation and in the audit log)
  --detected-at TIME   when the credential was reported or detected (ISO-8601; default now):
                       the time from detection to revocation is what gets measured
  --server URL         Tessera server (default http://127.0.0.1:8080, or TESSERA_SERVER)
  --data DIR           the server's data folder holding the admin key (default ./.tessera, or TESSERA_DATA)
  --json               print machine-readable JSON
  -h, --help           this help

Example: tessera revoke --identity spiffe://tessera.local/ns/prod/sa/api --reason "key leaked in CI log"`;

const OPTIONS = {
  ...CLIENT_OPTIONS,
  jti: { type: 'string' }, identity: { type: 'string' }, 'token-file': { type: 'string' }, 'static-key': { type: 'string' },
  reason: { type: 'string' }, 'detected-at': { type: 'string' },
} as const;

const TARGETS = ['jti', 'identity', 'token-file', 'static-key'] as const;

const usage = (flag: string, message: string) => new TesseraError('ERR_INVALID_INPUT', `${flag}: ${message}`, { field: flag, rule: 'usage' });

function readToken(file: string): string {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw usage('--token-file', `cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const token = text.trim();
  if (token === '') throw usage('--token-file', `${file} is empty`);
  return token;
}

export function describeRevocation(r: RevocationJson): string {
  const what = r.kind === 'jti' ? `token ${r.value}` : r.kind === 'identity' ? `identity ${r.value} (disabled; every token issued until ${r.revokedAt})` : `static key ${r.value}`;
  return `revoked ${what}\n  revocation ${r.id}, at ${r.revokedAt}${r.detectedAt ? `, detected ${r.detectedAt}` : ''}; kept until ${r.expiresAt}`;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const json = argv.includes('--json');
  try {
    const { values: v } = parse(argv, OPTIONS);
    if (v.help) { io.out(HELP); return EXIT.OK; }
    const given = TARGETS.filter((t) => v[t] !== undefined);
    if (given.length !== 1) {
      throw usage(given.length ? `--${given[1]}` : '--jti', `give exactly one of ${TARGETS.map((t) => `--${t}`).join(', ')}`);
    }
    const body: Record<string, unknown> = {};
    if (v.jti !== undefined) body.jti = v.jti;
    if (v.identity !== undefined) body.identity = v.identity;
    if (v['static-key'] !== undefined) body.staticKeyId = v['static-key'];
    if (v['token-file'] !== undefined) body.token = readToken(v['token-file']);
    if (v.reason !== undefined) body.reason = v.reason;
    if (v['detected-at'] !== undefined) body.detectedAt = v['detected-at'];
    const api = connect(v, io);
    printResult(io, await api.request<RevocationJson>('POST', '/v1/revocations', body), v.json, describeRevocation);
    return EXIT.OK;
  } catch (e) {
    return failExit(io, e, json);
  }
}
