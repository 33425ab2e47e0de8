// Real CAs for the X.509 tests (real keys, real certificates), and the `openssl` command line
// as the independent checker.
import { execFileSync } from 'node:child_process';
import { createPrivateKey, generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { X509Issuer } from '../../../src/ca/ca-runtime.ts';
import { createCaCertificate, toPem, readCertificate } from '../../../src/ca/x509/index.ts';

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** A scratch folder for openssl's files; remove it with cleanup(). */
export function scratch(): { dir: string; file(name: string, content?: string | Buffer): string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-x509-'));
  return {
    dir,
    file(name, content) { const p = join(dir, name); if (content !== undefined) writeFileSync(p, content); return p; },
    cleanup() { rmSync(dir, { recursive: true, force: true }); },
  };
}

export interface OpensslResult { code: number; stdout: string; stderr: string }

/** Runs openssl; never throws on a non-zero exit (negative cases assert on it). */
export function openssl(args: string[], input?: string | Buffer): OpensslResult {
  try {
    const stdout = execFileSync('openssl', args, { input, stdio: ['pipe', 'pipe', 'pipe'], encoding: 'latin1' });
    return { code: 0, stdout, stderr: '' };
  } catch (e) {
    const err = e as { status?: number; stdout?: string; stderr?: string };
    return { code: err.status ?? -1, stdout: String(err.stdout ?? ''), stderr: String(err.stderr ?? '') };
  }
}

/** openssl, asserting success: returns stdout. */
export function opensslOk(args: string[], input?: string | Buffer): string {
  const r = openssl(args, input);
  if (r.code !== 0) throw new Error(`openssl ${args.join(' ')} failed (${r.code}): ${r.stderr}${r.stdout}`);
  return r.stdout;
}

/** `openssl x509 -text` of a DER certificate. */
export function certText(der: Buffer): string {
  return opensslOk(['x509', '-inform', 'DER', '-noout', '-text'], der);
}

export interface TestCa {
  issuer: X509Issuer;
  /** Root certificates relying parties trust (the bundle). */
  roots: Buffer[];
  publicKey: KeyObject;
}

/** A self-signed P-256 root CA made with our own createCaCertificate. */
export function selfSignedCa(opts: { trustDomain?: string; now?: number; notBefore?: number; notAfter?: number; kid?: string } = {}): TestCa {
  const now = opts.now ?? Date.now();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notAfter = opts.notAfter ?? now + DAY;
  const certDer = createCaCertificate({ trustDomain: opts.trustDomain ?? 'tessera.local', subjectPublicKey: publicKey, signingKey: privateKey, notBefore: opts.notBefore ?? now - 60_000, notAfter });
  return { issuer: { kid: opts.kid ?? `x509-${Math.random().toString(36).slice(2)}`, privateKey, certDer, chainDer: [], notAfter }, roots: [certDer], publicKey };
}

export interface OperatorRoot { certDer: Buffer; certPem: string; privateKey: KeyObject }

/** An operator's root CA made by `openssl req -x509` (an independent producer). */
export function opensslRoot(s: ReturnType<typeof scratch>, opts: { keyAlg?: 'ec' | 'rsa' | 'ed25519'; days?: number; extraArgs?: string[] } = {}): OperatorRoot {
  const keyAlg = opts.keyAlg ?? 'ec';
  const name = `root-${keyAlg}-${Math.random().toString(36).slice(2)}`;
  const keyArgs = keyAlg === 'ec' ? ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256'] : keyAlg === 'rsa' ? ['-newkey', 'rsa:2048'] : ['-newkey', 'ed25519'];
  opensslOk(['req', '-x509', ...keyArgs, '-nodes', '-keyout', s.file(`${name}.key`), '-out', s.file(`${name}.pem`),
    '-days', String(opts.days ?? 30), '-subj', '/O=Example Corp/CN=Example Root CA', ...(opts.extraArgs ?? [])]);
  const certPem = readFileSync(s.file(`${name}.pem`), 'utf8');
  return { certDer: new X509Certificate(certPem).raw, certPem, privateKey: createPrivateKey(readFileSync(s.file(`${name}.key`))) };
}

/** Tessera's CA as an intermediate under an operator root. */
export function intermediateCa(root: OperatorRoot, opts: { now?: number; notAfter?: number; kid?: string } = {}): TestCa {
  const now = opts.now ?? Date.now();
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const notAfter = opts.notAfter ?? Math.min(now + DAY, readCertificate(root.certDer).notAfter);
  const certDer = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: publicKey, signingKey: root.privateKey, issuerCertDer: root.certDer, notBefore: now - 60_000, notAfter });
  return { issuer: { kid: opts.kid ?? `x509-${Math.random().toString(36).slice(2)}`, privateKey, certDer, chainDer: [], notAfter }, roots: [root.certDer], publicKey };
}

export const pem = (der: Buffer, label?: string) => toPem(der, label);
