import { randomBytes } from 'node:crypto';
import { crc32 } from 'node:zlib';

/** Digits, then upper case, then lower case: the order GitHub's token checksums use. */
export const BASE62_ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';

// The largest multiple of 62 that fits in a byte: bytes at or above it are thrown away, so every
// character is exactly equally likely (taking `byte % 62` of every byte would favour the first
// eight characters).
const ACCEPT_BELOW = 248;

/** `length` uniformly random base62 characters from the system CSPRNG. */
export function randomBase62(length: number): string {
  let out = '';
  while (out.length < length) {
    // Draw a little more than needed: about 3 % of bytes are rejected.
    for (const b of randomBytes(length - out.length + 8)) {
      if (b >= ACCEPT_BELOW) continue;
      out += BASE62_ALPHABET[b % 62];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Encodes a non-negative integer in base62, left-padded with "0" to `width` characters. */
export function toBase62(value: number, width: number): string {
  let n = value;
  let out = '';
  do {
    out = BASE62_ALPHABET[n % 62] + out;
    n = Math.floor(n / 62);
  } while (n > 0);
  return out.padStart(width, '0');
}

/** Six base62 characters of the CRC32 (IEEE) of the text's bytes: 62^6 > 2^32, so any CRC fits. */
export function base62Crc32(text: string): string {
  return toBase62(crc32(Buffer.from(text, 'ascii')), 6);
}
