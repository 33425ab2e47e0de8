import { chmodSync, mkdirSync, statSync } from 'node:fs';

/**
 * Creates dir with mode 0700, or narrows an existing one to 0700: the data folder holds the
 * admin key and the key-encryption key, so no one but the server's user may list or enter it.
 * Returns true when an existing folder had to be narrowed (the caller logs it).
 */
export function ensurePrivateDir(dir: string): boolean {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const mode = statSync(dir).mode & 0o777;
  if ((mode & 0o077) === 0) return false;
  chmodSync(dir, 0o700);
  return true;
}
