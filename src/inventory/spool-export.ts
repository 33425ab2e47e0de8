// An uploaded export is first written to a private temporary file (0600) while its digest and
// size are computed, so the import's transaction never waits on a slow client, and a file over
// the limit is refused before anything is parsed.
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { once } from 'node:events';
import { TesseraError } from '../shared/errors.ts';

export interface SpooledExport {
  path: string;
  bytes: number;
  digest: string;
  /** The file's content, read again in 1 MiB pieces. */
  chunks(): AsyncIterable<Buffer>;
  remove(): void;
}

export async function spoolExport(input: AsyncIterable<Buffer | string>, dir: string, maxBytes: number): Promise<SpooledExport> {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `import-${randomBytes(8).toString('hex')}.tmp`);
  const out = createWriteStream(path, { mode: 0o600 });
  const hash = createHash('sha256');
  let bytes = 0;
  const remove = () => rmSync(path, { force: true });
  try {
    for await (const piece of input) {
      const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
      bytes += buf.length;
      if (bytes > maxBytes) {
        throw new TesseraError('ERR_BODY_TOO_LARGE', `the export is larger than the limit of ${maxBytes} bytes (inventory.maxImportBytes)`, { field: 'file', rule: 'max-bytes' });
      }
      hash.update(buf);
      if (!out.write(buf)) await once(out, 'drain');
    }
    out.end();
    await once(out, 'finish');
  } catch (e) {
    // The stream opens its file asynchronously: wait until it is closed, or a late open could
    // create the file again after it was removed.
    const closed = out.closed ? Promise.resolve() : once(out, 'close').then(() => undefined, () => undefined);
    out.destroy();
    await closed;
    remove();
    throw e;
  }
  return {
    path, bytes, digest: hash.digest('hex'), remove,
    chunks: () => createReadStream(path, { highWaterMark: 1 << 20 }),
  };
}

/**
 * Removes spooled exports a crash left behind (they hold the platform's metadata). Run when the
 * server starts: the data folder belongs to one server at a time, so none of them is in use.
 */
export function removeStaleSpools(dir: string): number {
  let names: string[];
  try { names = readdirSync(dir); } catch { return 0; }
  const stale = names.filter((n) => /^import-[0-9a-f]{16}\.tmp$/.test(n));
  for (const n of stale) rmSync(join(dir, n), { force: true });
  return stale.length;
}
