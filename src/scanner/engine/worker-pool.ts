import { Worker } from 'node:worker_threads';
import type { Finding } from './types.ts';

export type WorkerReply = { findings: Finding[]; bytes: number; binary: boolean } | { error: string };

/** Where worker threads load their detectors from: a module URL and the name of its exported list. */
export interface DetectorSource { module: string; exportName: string }

/**
 * A fixed set of worker threads, each scanning one file at a time; jobs go to the first idle one.
 * A worker that dies fails its job (reported as an error for that file), not the scan.
 */
export class WorkerPool {
  private readonly idle: Worker[] = [];
  private readonly waiting: ((w: Worker | undefined) => void)[] = [];
  private live = 0;
  private broken: string | undefined;
  private readonly all: Worker[] = [];
  private readonly pending = new Map<Worker, (r: WorkerReply) => void>();
  private nextId = 0;

  constructor(size: number, source: DetectorSource) {
    for (let i = 0; i < size; i++) this.spawn(source);
  }

  private spawn(source: DetectorSource): void {
    const w = new Worker(new URL('./scan-worker.ts', import.meta.url), {
      workerData: { detectorsModule: source.module, exportName: source.exportName },
    });
    this.all.push(w);
    this.live++;
    w.on('message', (m: { ready?: true } & Partial<WorkerReply & { id: number }>) => {
      if (m.ready) { this.release(w); return; }
      const done = this.pending.get(w);
      this.pending.delete(w);
      done?.(m as WorkerReply);
      this.release(w);
    });
    w.on('error', (e) => {
      const done = this.pending.get(w);
      this.pending.delete(w);
      done?.({ error: `scanner worker failed: ${e.message}` });
      // A worker that cannot even load leaves no one to take jobs: fail them instead of waiting.
      const at = this.idle.indexOf(w);
      if (at !== -1) this.idle.splice(at, 1);
      if (--this.live === 0) {
        this.broken = `scanner workers failed: ${e.message}`;
        for (const next of this.waiting.splice(0)) next(undefined);
      }
    });
  }

  private release(w: Worker): void {
    const next = this.waiting.shift();
    if (next) next(w); else this.idle.push(w);
  }

  private acquire(): Promise<Worker | undefined> {
    if (this.broken) return Promise.resolve(undefined);
    const w = this.idle.pop();
    return w ? Promise.resolve(w) : new Promise((resolve) => this.waiting.push(resolve));
  }

  async scan(path: string, display: string, size: number): Promise<WorkerReply> {
    const w = await this.acquire();
    if (!w) return { error: this.broken ?? 'scanner workers failed' };
    return new Promise((resolve) => {
      this.pending.set(w, resolve);
      w.postMessage({ id: this.nextId++, path, display, size });
    });
  }

  async close(): Promise<void> {
    await Promise.all(this.all.map((w) => w.terminate()));
  }
}
