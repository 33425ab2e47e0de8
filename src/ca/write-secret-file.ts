import { closeSync, fsyncSync, linkSync, openSync, unlinkSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { randomBytes } from 'node:crypto';

/**
 * Writes a secret file (mode 0600) atomically and without overwriting: the content goes to a
 * temporary file that is synced, then hard-linked into place. A crash never leaves a half-written
 * key behind, and of two processes racing to create the file exactly one wins.
 * Returns false when the file already existed (the caller then reads the winner's content).
 */
export function writeSecretFile(path: string, content: string): boolean {
  const tmp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, content);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(tmp, path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw e;
  } finally {
    unlinkSync(tmp);
  }
  syncDir(dirname(path));
  return true;
}

/** Makes the new directory entry itself durable. */
function syncDir(dir: string): void {
  let fd: number | undefined;
  try {
    fd = openSync(dir, 'r');
    fsyncSync(fd);
  } catch {
    // Some filesystems refuse fsync on a directory; the file content is already synced.
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}
