// Worker thread body: scans the batches of files it is sent with the detectors from a module it
// imports itself (functions cannot cross threads), and posts each batch's results back.
import { parentPort, workerData } from 'node:worker_threads';
import { scanFileSync } from './scan-file.ts';
import { toSlash } from '../inputs/walk-files.ts';
import type { DetectorLike } from './types.ts';

const { detectorsModule, exportName, maxBytes } = workerData as { detectorsModule: string; exportName: string; maxBytes: number };
const detectors = (await import(detectorsModule) as Record<string, DetectorLike[]>)[exportName];
if (!Array.isArray(detectors)) throw new Error(`${detectorsModule} has no detector list "${exportName}"`);

// Most files have no finding: they travel back as their byte count alone (cheaper to send than objects).
parentPort!.on('message', (job: { id: number; paths: string }) => {
  const results = job.paths.split('\0').map((path) => {
    const r = scanFileSync(path, toSlash(path), detectors, maxBytes);
    return 'findings' in r && r.findings.length === 0 ? r.bytes : r;
  });
  parentPort!.postMessage({ id: job.id, results });
});
