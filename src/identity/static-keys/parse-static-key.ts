import { base62Crc32 } from './base62.ts';
import { STATIC_KEY_CHECKSUM_LENGTH, STATIC_KEY_LENGTH, STATIC_KEY_PREFIX, STATIC_KEY_RANDOM_LENGTH } from './format.ts';

export type ParsedStaticKey =
  | { ok: true; random: string; checksum: string }
  | { ok: false; reason: string };

const BODY = /^[0-9A-Za-z]+$/;

/**
 * Checks a string is a well-formed `tsk_` key, offline: prefix, length, alphabet and the CRC32
 * checksum of the random part. A scanner uses this to tell a real key from a look-alike with
 * no false positives from typos; passing it says nothing about whether the key is valid now.
 */
export function parseStaticKey(text: unknown): ParsedStaticKey {
  if (typeof text !== 'string') return { ok: false, reason: 'not a string' };
  if (!text.startsWith(STATIC_KEY_PREFIX)) return { ok: false, reason: `does not start with ${STATIC_KEY_PREFIX}` };
  if (text.length !== STATIC_KEY_LENGTH) return { ok: false, reason: `must be ${STATIC_KEY_LENGTH} characters long` };
  const body = text.slice(STATIC_KEY_PREFIX.length);
  if (!BODY.test(body)) return { ok: false, reason: 'may contain only base62 characters (0-9, A-Z, a-z) after the prefix' };
  const random = body.slice(0, STATIC_KEY_RANDOM_LENGTH);
  const checksum = body.slice(STATIC_KEY_RANDOM_LENGTH);
  if (checksum.length !== STATIC_KEY_CHECKSUM_LENGTH || base62Crc32(random) !== checksum) return { ok: false, reason: 'checksum does not match' };
  return { ok: true, random, checksum };
}
