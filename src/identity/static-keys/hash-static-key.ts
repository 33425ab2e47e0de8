import { createHash } from 'node:crypto';

/**
 * What the store keeps instead of the key: SHA-256, hex. The key has ~178 random bits, so a
 * plain fast hash is enough (no password-style stretching needed to resist guessing).
 */
export function hashStaticKey(key: string): string {
  return createHash('sha256').update(key, 'ascii').digest('hex');
}
