// The operator-supplied root CA (config caRootCert + caRootKey): when given, Tessera's CA is an
// intermediate under it and the trust bundle carries this root instead of Tessera's own CAs.
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { TesseraError } from '../shared/errors.ts';
import { formatDuration } from '../shared/duration.ts';

export interface CaRoot {
  certDer: Buffer;
  privateKey: KeyObject;
  notBefore: number;
  notAfter: number;
}

const bad = (field: string, message: string, rule: string) => new TesseraError('ERR_CONFIG', `config ${field}: ${message}`, { field, rule });

function read(path: string, field: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch (e) {
    throw bad(field, `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'readable file');
  }
}

/**
 * Reads and checks the root: a CA certificate (PEM), currently valid for at least `minRemainingMs`
 * more (a shorter-lived root would cut every intermediate, and so every SVID, short), and its
 * private key (PEM, unencrypted PKCS#8 or SEC1/PKCS#1), readable by the server's user only.
 */
export function loadCaRoot(certPath: string, keyPath: string, now: number, minRemainingMs: number): CaRoot {
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(read(certPath, 'caRootCert'));
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw bad('caRootCert', `${certPath} is not a PEM X.509 certificate`, 'PEM certificate');
  }
  if (!cert.ca) throw bad('caRootCert', `${certPath} is not a CA certificate (basicConstraints CA:TRUE is missing)`, 'CA certificate');
  const notBefore = Date.parse(cert.validFrom);
  const notAfter = Date.parse(cert.validTo);
  if (notBefore > now) throw bad('caRootCert', `${certPath} is not valid yet (notBefore ${new Date(notBefore).toISOString()})`, 'currently valid');
  if (notAfter - now < minRemainingMs) {
    throw bad('caRootCert', `${certPath} expires at ${new Date(notAfter).toISOString()}, less than ${formatDuration(Math.ceil(minRemainingMs / 1000))} from now; ` +
      'renew the root (it must outlive a whole CA lifetime of Tessera\'s intermediate)', 'outlives caTtl');
  }

  const mode = statSafe(keyPath) & 0o777;
  if ((mode & 0o077) !== 0) {
    throw bad('caRootKey', `${keyPath}: mode is ${mode.toString(8).padStart(4, '0')}, but a CA private key must be readable by its owner only; run chmod 600 ${keyPath}`, 'mode 0600');
  }
  let privateKey: KeyObject;
  try {
    privateKey = createPrivateKey(read(keyPath, 'caRootKey'));
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw bad('caRootKey', `${keyPath} is not an unencrypted PEM private key`, 'PEM private key');
  }
  if (!cert.checkPrivateKey(privateKey)) throw bad('caRootKey', `${keyPath} is not the private key of ${certPath}`, 'matches caRootCert');
  return { certDer: Buffer.from(cert.raw), privateKey, notBefore, notAfter };
}

function statSafe(path: string): number {
  try {
    return statSync(path).mode;
  } catch (e) {
    throw bad('caRootKey', `cannot read ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'readable file');
  }
}
