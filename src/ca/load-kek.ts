import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { TesseraError } from '../shared/errors.ts';
import { b64u } from './base64url.ts';
import { ensurePrivateDir } from './ensure-private-dir.ts';
import { writeSecretFile } from './write-secret-file.ts';

export const KEK_ENV = 'TESSERA_KEK';
export const KEK_FILE = 'kek';
const KEK_BYTES = 32;

export interface Kek {
  /** 32 bytes: the AES-256-GCM key that wraps every private key stored in the database. */
  key: Buffer;
  /** Where it came from, for the start-up log (never the value). */
  source: string;
  /** True when this call created the key file. */
  created: boolean;
}

/** Accepts base64url or standard base64 (padded or not) of exactly 32 bytes, nothing else. */
export function decodeKek(text: string): Buffer | undefined {
  let bytes: Buffer;
  if (/^[A-Za-z0-9_-]{43}$/.test(text)) {
    bytes = Buffer.from(text, 'base64url');
    if (bytes.toString('base64url') !== text) return undefined;
  } else if (/^[A-Za-z0-9+/]{43}=?$/.test(text)) {
    bytes = Buffer.from(text, 'base64');
    if (bytes.toString('base64').replace(/=$/, '') !== text.replace(/=$/, '')) return undefined;
  } else {
    return undefined;
  }
  return bytes.length === KEK_BYTES ? bytes : undefined;
}

const RULE = `must be the base64url (or base64) encoding of exactly ${KEK_BYTES} random bytes`;

/**
 * The key-encryption key: from TESSERA_KEK when set (so it can live in a secret manager, away
 * from the data folder and its database), otherwise from <dataDir>/kek, created on first start.
 */
export function loadKek(opts: { dataDir: string; env?: NodeJS.ProcessEnv }): Kek {
  const fromEnv = (opts.env ?? process.env)[KEK_ENV];
  if (fromEnv !== undefined && fromEnv !== '') {
    const key = decodeKek(fromEnv);
    if (!key) throw new TesseraError('ERR_KEK', `${KEK_ENV}: ${RULE}`, { field: KEK_ENV, rule: 'kek encoding' });
    return { key, source: `environment variable ${KEK_ENV}`, created: false };
  }

  ensurePrivateDir(opts.dataDir);
  const path = join(opts.dataDir, KEK_FILE);
  let created = false;
  if (!existsSync(path)) created = writeSecretFile(path, `${b64u(randomBytes(KEK_BYTES))}\n`);

  const st = statSync(path);
  if (!st.isFile()) throw new TesseraError('ERR_KEK', `${path}: must be a regular file`, { field: path, rule: 'regular file' });
  const mode = st.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new TesseraError('ERR_KEK',
      `${path}: mode is ${mode.toString(8).padStart(4, '0')}, but the key-encryption key must be readable by its owner only; run chmod 600 ${path}`,
      { field: path, rule: 'mode 0600' });
  }
  // One trailing newline is allowed: people edit this file with editors that add one.
  const key = decodeKek(readFileSync(path, 'utf8').replace(/\r?\n$/, ''));
  if (!key) throw new TesseraError('ERR_KEK', `${path}: ${RULE}`, { field: path, rule: 'kek encoding' });
  return { key, source: path, created };
}
