import { createCipheriv, randomBytes, type KeyObject } from 'node:crypto';
import { b64u } from './base64url.ts';

export const ENCRYPTED_KEY_VERSION = 'v1';

/**
 * Wraps a private key for storage: AES-256-GCM under the KEK with a fresh 96-bit IV and the
 * key's kid as additional authenticated data, so a ciphertext moved onto another key's row
 * does not decrypt. Stored as "v1.<iv>.<tag>.<ciphertext>" (base64url), PKCS#8 DER inside.
 */
export function encryptPrivateKey(kek: Buffer, kid: string, privateKey: KeyObject): string {
  if (privateKey.type !== 'private') throw new Error('encryptPrivateKey needs a private key');
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', kek, iv);
  cipher.setAAD(Buffer.from(kid, 'utf8'));
  const der = privateKey.export({ format: 'der', type: 'pkcs8' });
  const ct = Buffer.concat([cipher.update(der), cipher.final()]);
  der.fill(0);
  return [ENCRYPTED_KEY_VERSION, b64u(iv), b64u(cipher.getAuthTag()), b64u(ct)].join('.');
}
