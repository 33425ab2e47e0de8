import { Worker } from 'node:worker_threads';
import { toSlash } from '../inputs/walk-files.ts';
import type { FileResult } from './scan-file.ts';

/** Where worker threads load their detectors from: a module URL and the name of its exported list. */
export interface DetectorSource { module: string; exportName: string }

/** Batches each worker may hold at once: one being scanned, more waiting, so it never idles on a round trip. */
const IN_FLIGHT = 3;

/**
 * A batch waits here as one string of NUL-separated paths (NUL cannot occur in a path): the walk
 * runs ahead of the scan, and tens of thousands of path objects kept alive made each of the main
 * thread's garbage collections several times slower.
 */
interface Batch { paths: string; done: (r: FileResult[]) => void }

function failAll(paths: string, error: string): FileResult[] {
  return paths.split('\0').map((p) => ({ error, path: toSlash(p) }));
}

/**
 * A fixed set of worker threads scanning batches of files (one message per batch, not per file:
 * tens of thousands of small files would otherwise spend more on messages than on scanning).
 * Batches queue here and go to the worker with the fewest in flight. A worker that dies fails its
 * batches (each file reported as an error), not the scan; if none is left, every batch fails.
 */
export class WorkerPool {
  private readonly queue: Batch[] = [];
  private readonly workers: { w: Worker; inFlight: Map<number, Batch>; dead: boolean }[] = [];
  private broken: string | undefined;
  private nextId = 0;

  constructor(size: number, source: DetectorSource, maxBytes: number) {
    for (let i = 0; i < size; i++) {
      const w = new Worker(new URL('./scan-worker.ts', import.meta.url), {
        workerData: { detectorsModule: source.module, exportName: source.exportName, maxBytes },
      });
      const slot = { w, inFlight: new Map<number, Batch>(), dead: false };
      this.workers.push(slot);
      w.on('message', (m: { id: number; results: (FileResult | number)[] }) => {
        const b = slot.inFlight.get(m.id);
        slot.inFlight.delete(m.id);
        b?.done(m.results.map((r) => (typeof r === 'number' ? { findings: [], bytes: r } : r)));
        this.pump();
      });
      w.on('error', (e) => {
        slot.dead = true;
        const why = `scanner worker failed: ${e.message}`;
        for (const b of slot.inFlight.values()) b.done(failAll(b.paths, why));
        slot.inFlight.clear();
        if (this.workers.every((x) => x.dead)) {
          this.broken = `scanner workers failed: ${e.message}`;
          for (const b of this.queue.splice(0)) b.done(failAll(b.paths, this.broken!));
        }
      });
    }
  }

  /** Whether a worker could start on another batch now (else the caller may as well scan it itself). */
  hasRoom(): boolean {
    return this.broken === undefined && this.workers.some((s) => !s.dead && s.inFlight.size < IN_FLIGHT);
  }

  /** Scans a batch of files; results come back in the batch's order. */
  scan(files: readonly string[]): Promise<FileResult[]> {
    const paths = files.join('\0');
    if (this.broken) return Promise.resolve(failAll(paths, this.broken));
    return new Promise((done) => {
      this.queue.push({ paths, done });
      this.pump();
    });
  }

  private pump(): void {
    while (this.queue.length > 0) {
      let best: (typeof this.workers)[number] | undefined;
      for (const s of this.workers) if (!s.dead && s.inFlight.size < IN_FLIGHT && (!best || s.inFlight.size < best.inFlight.size)) best = s;
      if (!best) return;
      const b = this.queue.shift()!;
      const id = this.nextId++;
      best.inFlight.set(id, b);
      best.w.postMessage({ id, paths: b.paths });
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.workers.map((s) => s.w.terminate()));
  }
}
