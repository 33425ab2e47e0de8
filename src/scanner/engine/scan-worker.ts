// Worker thread body: scans the files it is sent with the detectors from a module it imports
// itself (functions cannot cross threads), and posts the findings back.
import { createReadStream, readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import { scanStream } from './scan-stream.ts';
import { describe } from '../inputs/walk-files.ts';
import type { DetectorLike } from './types.ts';

interface Job { id: number; path: string; display: string; size: number }

const { detectorsModule, exportName } = workerData as { detectorsModule: string; exportName: string };
const detectors = (await import(detectorsModule) as Record<string, DetectorLike[]>)[exportName];
if (!Array.isArray(detectors)) throw new Error(`${detectorsModule} has no detector list "${exportName}"`);

const SMALL = 4 << 20;

parentPort!.on('message', (job: Job) => {
  // Small files in one read (this thread has nothing else to do); large ones streamed.
  let source: Iterable<Buffer> | ReturnType<typeof createReadStream>;
  try {
    source = job.size <= SMALL ? [readFileSync(job.path)] : createReadStream(job.path, { highWaterMark: 1 << 20 });
  } catch (e) {
    parentPort!.postMessage({ id: job.id, error: describe(e) });
    return;
  }
  scanStream(source, job.display, detectors).then(
    (r) => parentPort!.postMessage({ id: job.id, findings: r.findings, bytes: r.bytes, binary: r.binary }),
    (e: unknown) => parentPort!.postMessage({ id: job.id, error: describe(e) }),
  );
});
parentPort!.postMessage({ ready: true });
