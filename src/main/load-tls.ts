import { readFileSync } from 'node:fs';
import { createPrivateKey, X509Certificate, type KeyObject } from 'node:crypto';
import { createSecureContext } from 'node:tls';
import type { Config } from '../config/schema.ts';
import { TesseraError } from '../shared/errors.ts';

export interface TlsFiles { cert: Buffer; key: Buffer }

const bad = (field: 'tlsCert' | 'tlsKey', rule: string, message: string) =>
  new TesseraError('ERR_CONFIG', `config ${field}: ${message}`, { field, rule });

function read(path: string, field: 'tlsCert' | 'tlsKey'): Buffer {
  try {
    return readFileSync(path);
  } catch (e) {
    throw bad(field, 'readable file', `cannot read ${path} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}

/**
 * Reads and checks the certificate and key before anything else starts, so a wrong path or a
 * key that does not belong to the certificate is refused naming the setting, instead of failing
 * deep inside the HTTPS server after keys were already created in the data folder.
 */
export function loadTls(config: Pick<Config, 'tlsCert' | 'tlsKey'>): TlsFiles | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  const cert = read(config.tlsCert, 'tlsCert');
  const key = read(config.tlsKey, 'tlsKey');
  let x509: X509Certificate;
  try { x509 = new X509Certificate(cert); } catch {
    throw bad('tlsCert', 'PEM certificate', `${config.tlsCert} is not a PEM certificate`);
  }
  let privateKey: KeyObject;
  try { privateKey = createPrivateKey(key); } catch {
    throw bad('tlsKey', 'PEM private key', `${config.tlsKey} is not an unencrypted PEM private key`);
  }
  if (!x509.checkPrivateKey(privateKey)) {
    throw bad('tlsKey', 'matches tlsCert', `${config.tlsKey} is not the private key of the certificate in ${config.tlsCert}`);
  }
  try { createSecureContext({ cert, key }); } catch (e) {
    throw bad('tlsCert', 'usable by TLS', `${config.tlsCert} cannot be served: ${(e as Error).message}`);
  }
  return { cert, key };
}
