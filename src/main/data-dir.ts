import { closeSync, mkdirSync, openSync, readFileSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { TesseraError } from '../shared/errors.ts';

export const LOCK_FILE = 'server.lock';

/**
 * Creates the data folder (0700) if needed. An existing folder that others can read is narrowed
 * to 0700, with a warning, by the access bootstrap (ensurePrivateDir), which runs at every start.
 */
export function ensureDataDir(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
}

function alive(pid: number): boolean {
  try { process.kill(pid, 0); return true; } catch (e) { return (e as NodeJS.ErrnoException).code === 'EPERM'; }
}

/**
 * One server per data folder: a lock file holding the owner's pid. A lock left by a process
 * that no longer exists (kill -9) is taken over; a live owner makes the second server refuse.
 */
export function lockDataDir(dir: string, info: Record<string, unknown>): () => void {
  const path = join(dir, LOCK_FILE);
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fd = openSync(path, 'wx', 0o600);
      writeSync(fd, JSON.stringify({ pid: process.pid, startedAt: new Date().toISOString(), ...info }));
      closeSync(fd);
      return () => {
        try {
          const held = JSON.parse(readFileSync(path, 'utf8')) as { pid?: number };
          if (held.pid === process.pid) unlinkSync(path);
        } catch { /* already gone */ }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let held: { pid?: number; listen?: string } = {};
      try { held = JSON.parse(readFileSync(path, 'utf8')); } catch { /* half-written: treat as stale */ }
      if (typeof held.pid === 'number' && alive(held.pid)) {
        throw new TesseraError('ERR_DATA_DIR_LOCKED',
          `data folder ${dir} is in use by another Tessera server (pid ${held.pid}${held.listen ? `, listening on ${held.listen}` : ''}); ` +
          'stop it first or give this server its own --data-dir', { field: 'dataDir', rule: 'one server per data folder', pid: held.pid });
      }
      try { unlinkSync(path); } catch { /* someone else removed it */ }
    }
  }
  throw new TesseraError('ERR_DATA_DIR_LOCKED', `could not take the lock on data folder ${dir}`, { field: 'dataDir' });
}
