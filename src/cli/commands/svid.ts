import { generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse, CLIENT_OPTIONS } from '../args.ts';
import { connect, printResult } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { createCsr, toPem } from '../../ca/x509/index.ts';

const CLIENT_FLAGS = `  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA; default ./.tessera)
  --json               machine-readable output`;

const KEY_TYPES = ['ec-p256', 'ec-p384', 'ed25519', 'rsa-2048'] as const;
type KeyType = (typeof KEY_TYPES)[number];

const HELP = `Usage: tessera svid x509 --identity ID --out DIR [--ttl DURATION] [--key-type TYPE] [--dns NAME]…

Gets an X509-SVID for a registered identity. The key pair is generated here and the private
key never leaves this machine: only a certificate request (CSR) signed with it is sent.

  x509                 an X.509 certificate whose URI SAN is the identity's SPIFFE ID

Run tessera svid x509 --help for its flags.`;

const X509_HELP = `Usage: tessera svid x509 --identity ID --out DIR [--ttl DURATION] [--key-type TYPE] [--dns NAME]…

The key pair is generated here; the private key never leaves this machine.

  --identity ID        the identity: its id or its SPIFFE ID
  --out DIR            where to write svid.pem (certificate and chain), svid.key (PKCS#8,
                       mode 0600) and bundle.pem (the trust domain's root certificates);
                       created (mode 0700) if missing, files in it are replaced
  --ttl DURATION       lifetime, e.g. 15m (default: the largest the identity allows)
  --key-type TYPE      ${KEY_TYPES.join(', ')} (default ec-p256)
  --dns NAME           a DNS name to put in the SAN next to the SPIFFE ID, e.g. a webhook's
                       <service>.<namespace>.svc; repeatable (at most 10, lower case, no wildcards)
${CLIENT_FLAGS}`;

interface SvidResponse { spiffeId: string; certificate: string; chain: string[]; bundle: string[]; serial: string; notBefore: string; expiresAt: string; dnsNames?: string[] }

const usage = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });

function generateKey(type: KeyType): KeyObject {
  switch (type) {
    case 'ec-p256': return generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
    case 'ec-p384': return generateKeyPairSync('ec', { namedCurve: 'P-384' }).privateKey;
    case 'ed25519': return generateKeyPairSync('ed25519').privateKey;
    case 'rsa-2048': return generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
  }
}

/** Replaces path atomically (temp file, fsync, rename), so a reader never sees half a file. */
function writeFileAtomic(path: string, content: string, mode: number): void {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', mode);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } catch (e) {
    closeSync(fd);
    unlinkSync(tmp);
    throw e;
  }
  closeSync(fd);
  renameSync(tmp, path);
}

async function x509(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, {
    ...CLIENT_OPTIONS, identity: { type: 'string' }, out: { type: 'string' }, ttl: { type: 'string' }, 'key-type': { type: 'string' },
    dns: { type: 'string', multiple: true },
  });
  if (v.help) { io.out(X509_HELP); return EXIT.OK; }
  if (v.identity === undefined) throw usage('--identity', 'is required (see tessera svid x509 --help)');
  if (v.out === undefined) throw usage('--out', 'is required: the folder to write svid.pem, svid.key and bundle.pem to');
  const keyType = (v['key-type'] ?? 'ec-p256') as KeyType;
  if (!KEY_TYPES.includes(keyType)) throw usage('--key-type', `must be one of ${KEY_TYPES.join(', ')}`);
  const ttl = v.ttl === undefined ? undefined : /^\d+$/.test(v.ttl) ? Number(v.ttl) : v.ttl;

  const privateKey = generateKey(keyType);
  const csr = toPem(createCsr({ privateKey }), 'CERTIFICATE REQUEST');
  const svid = await connect(v, io).request<SvidResponse>('POST', '/v1/x509-svids', {
    identity: v.identity, csr, ...(ttl !== undefined ? { ttl } : {}), ...(v.dns?.length ? { dnsNames: v.dns } : {}),
  });

  // Only now that the certificate exists is anything written: a refusal leaves DIR untouched.
  const dir = resolve(v.out);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const files = { certificate: join(dir, 'svid.pem'), key: join(dir, 'svid.key'), bundle: join(dir, 'bundle.pem') };
  // Bundle first, certificate last: a reader that sees the new certificate also sees its roots and key.
  writeFileAtomic(files.bundle, svid.bundle.join(''), 0o644);
  writeFileAtomic(files.key, privateKey.export({ type: 'pkcs8', format: 'pem' }) as string, 0o600);
  writeFileAtomic(files.certificate, [svid.certificate, ...svid.chain].join(''), 0o644);

  const dnsNames = svid.dnsNames ?? [];
  const result = { spiffeId: svid.spiffeId, serial: svid.serial, notBefore: svid.notBefore, expiresAt: svid.expiresAt, keyType, dnsNames, files };
  printResult(io, result, v.json, (r) => [
    `X509-SVID for ${r.spiffeId} (serial ${r.serial}, expires ${r.expiresAt})`,
    ...(r.dnsNames.length > 0 ? [`  DNS names: ${r.dnsNames.join(', ')}`] : []),
    `  ${r.files.certificate}  certificate and chain`,
    `  ${r.files.key}  private key (${r.keyType}, never sent)`,
    `  ${r.files.bundle}  trust bundle`,
  ].join('\n'));
  return EXIT.OK;
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  if (sub === '--help' || sub === '-h' || sub === 'help') { io.out(HELP); return EXIT.OK; }
  if (sub === 'x509') return x509(rest, io);
  io.err(sub === undefined ? HELP : `tessera svid: unknown subcommand "${sub}"; use x509`);
  return EXIT.USAGE;
}
