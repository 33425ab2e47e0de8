import { base62Crc32 } from '../../identity/static-keys/index.ts';

/**
 * GitHub (`gh[pousr]_`) and npm (`npm_`) tokens end in six base62 characters of the CRC32 of the
 * 30 random characters before them: the same scheme as our own `tsk_` keys, so one function checks
 * all of them offline. A look-alike with a wrong checksum is not a token.
 */
export function hasValidCrc32Base62(token: string, prefix: string): boolean {
  const body = token.slice(prefix.length);
  if (!token.startsWith(prefix) || body.length !== 36) return false;
  return base62Crc32(body.slice(0, 30)) === body.slice(30);
}
