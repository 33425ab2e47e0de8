import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)`;

const HELP = `Usage: tessera token <mint> [flags]

  mint                 a JWT-SVID for a registered identity

Run tessera token mint --help for its flags.`;

const MINT_HELP = `Usage: tessera token mint --identity ID --aud AUDIENCE [--aud AUDIENCE…] [--ttl DURATION] [--json]

Mints a JWT-SVID (compact JWS, header alg/kid/typ, claims iss, sub = the identity's SPIFFE ID,
aud, exp, iat, jti) and prints it; with --json, prints the token with its SPIFFE ID, audience,
jti and expiry. Relying parties verify it with the keys at <server>/jwks (found through
<server>/.well-known/openid-configuration). The lifetime is the smallest of --ttl, the
identity's maximum and the server's svidMaxTtl; a --ttl above the identity's maximum is refused.
  --identity ID        the identity's id or SPIFFE ID
  --aud AUDIENCE       who the token is for (repeat for several; no wildcards)
  --ttl DURATION       e.g. 90s, 5m (default: the largest allowed)
  --json               the token and its details as JSON
${CLIENT_FLAGS}`;

interface MintView { token: string; spiffeId: string; audience: string[]; jti: string; issuedAt: string; expiresAt: string; ttl: number }

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub !== 'mint') {
    io.err(sub === undefined ? HELP : `tessera token: unknown subcommand "${sub}"; use mint`);
    return EXIT.USAGE;
  }
  const { values: v } = parse(rest, { ...CLIENT_OPTIONS, identity: { type: 'string' }, aud: { type: 'string', multiple: true }, ttl: { type: 'string' } });
  if (v.help) { io.out(MINT_HELP); return EXIT.OK; }
  if (v.identity === undefined) throw new TesseraError('ERR_INVALID_INPUT', '--identity: is required (an identity id or SPIFFE ID)', { field: '--identity', rule: 'is required' });
  if (!v.aud || v.aud.length === 0) throw new TesseraError('ERR_INVALID_INPUT', '--aud: is required (who the token is for; repeat for several)', { field: '--aud', rule: 'is required' });
  // A number of seconds is sent as a number, so "300" and 300 mean the same.
  const ttl = v.ttl === undefined ? undefined : /^\d+$/.test(v.ttl) ? Number(v.ttl) : v.ttl;
  const body = { identity: v.identity, audience: v.aud.length === 1 ? v.aud[0] : v.aud, ...(ttl === undefined ? {} : { ttl }) };
  const svid = await connect(v, io).request<MintView>('POST', '/v1/jwt-svids', body);
  // The token alone on stdout, so that $(tessera token mint …) captures exactly it.
  printResult(io, svid, v.json, (s) => s.token);
  return EXIT.OK;
}
