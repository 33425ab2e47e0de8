import { createDecipheriv, createPrivateKey, type KeyObject } from 'node:crypto';
import { TesseraError } from '../shared/errors.ts';
import { b64uDecode } from './base64url.ts';
import { ENCRYPTED_KEY_VERSION } from './encrypt-private-key.ts';

export const KEK_MISMATCH = 'the key-encryption key does not match the one the keys were encrypted with';

/** Unwraps a private key written by encryptPrivateKey. A wrong KEK (or a moved row) is ERR_KEK. */
export function decryptPrivateKey(kek: Buffer, kid: string, stored: string): KeyObject {
  const parts = stored.split('.');
  const [version, ivText, tagText, ctText] = parts;
  const iv = ivText === undefined ? undefined : b64uDecode(ivText);
  const tag = tagText === undefined ? undefined : b64uDecode(tagText);
  const ct = ctText === undefined ? undefined : b64uDecode(ctText);
  if (parts.length !== 4 || version !== ENCRYPTED_KEY_VERSION || !iv || iv.length !== 12 || !tag || tag.length !== 16 || !ct || ct.length === 0) {
    throw new TesseraError('ERR_KEK', `stored private key ${kid} is not in the ${ENCRYPTED_KEY_VERSION} encrypted format`, { field: 'private_key_enc', rule: 'encrypted key format' });
  }
  const decipher = createDecipheriv('aes-256-gcm', kek, iv);
  decipher.setAAD(Buffer.from(kid, 'utf8'));
  decipher.setAuthTag(tag);
  let der: Buffer;
  try {
    der = Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    // GCM authentication failed: the KEK differs (or the row was edited or moved).
    throw new TesseraError('ERR_KEK', KEK_MISMATCH, { kid, rule: 'kek matches' });
  }
  try {
    return createPrivateKey({ key: der, format: 'der', type: 'pkcs8' });
  } finally {
    der.fill(0);
  }
}
