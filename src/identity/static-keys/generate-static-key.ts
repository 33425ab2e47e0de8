import { base62Crc32, randomBase62 } from './base62.ts';
import { STATIC_KEY_PREFIX, STATIC_KEY_RANDOM_LENGTH } from './format.ts';

/** A new static key: `tsk_` + 30 random base62 characters + the 6-character base62 CRC32 of them. */
export function generateStaticKey(): string {
  const random = randomBase62(STATIC_KEY_RANDOM_LENGTH);
  return `${STATIC_KEY_PREFIX}${random}${base62Crc32(random)}`;
}
