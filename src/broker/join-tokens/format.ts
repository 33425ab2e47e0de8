import { createHash, randomBytes } from 'node:crypto';

export const JOIN_TOKEN_PREFIX = 'tjt_';
/** 32 base62 characters: about 190 random bits. */
export const JOIN_TOKEN_RANDOM_LENGTH = 32;
export const JOIN_TOKEN_PATTERN = /^tjt_[0-9A-Za-z]{32}$/;

const ALPHABET = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
// Bytes at or above the largest multiple of 62 below 256 are dropped, so every character is
// equally likely.
const ACCEPT_BELOW = 248;

/** A new join token: `tjt_` + 32 uniformly random base62 characters from the system CSPRNG. */
export function generateJoinToken(): string {
  let out = JOIN_TOKEN_PREFIX;
  while (out.length < JOIN_TOKEN_PREFIX.length + JOIN_TOKEN_RANDOM_LENGTH) {
    for (const b of randomBytes(40)) {
      if (b >= ACCEPT_BELOW) continue;
      out += ALPHABET[b % 62];
      if (out.length === JOIN_TOKEN_PREFIX.length + JOIN_TOKEN_RANDOM_LENGTH) break;
    }
  }
  return out;
}

/** What the store keeps: SHA-256, hex. ~190 random bits need no password-style stretching. */
export function hashJoinToken(token: string): string {
  return createHash('sha256').update(token, 'ascii').digest('hex');
}
