// Runs one autocannon load in a child process (forked with an IPC channel), so that the load
// generator has its own event loop and core and the server under test keeps its process to
// itself. (Not a worker thread: autocannon treats a worker thread as one of its own workers.)
import { once } from 'node:events';
import autocannon from 'autocannon';

export interface LoadSpec {
  url: string;
  path: string;
  /** default POST */
  method?: string;
  connections: number;
  /** seconds */
  duration: number;
  headers: Record<string, string>;
  /** Request bodies, used round-robin. */
  bodies: string[];
}

export interface LoadResult {
  requests: number;
  rps: number;
  p50: number;
  p99: number;
  /** Answers other than 2xx, and connection errors or timeouts. */
  non2xx: number;
  errors: number;
  /** The first non-2xx answer seen, for the error message. */
  sample?: string;
}

const [spec] = (await once(process, 'message')) as [LoadSpec];
let i = 0;
let sample: string | undefined;
const result = await autocannon({
  url: spec.url,
  connections: spec.connections,
  duration: spec.duration,
  requests: [{
    method: spec.method ?? 'POST',
    path: spec.path,
    headers: spec.headers,
    setupRequest: (req: Record<string, unknown>) => (spec.method === 'GET' ? req : { ...req, body: spec.bodies[i++ % spec.bodies.length] }),
    onResponse: (status: number, body: string) => { if (status >= 300 && sample === undefined) sample = `${status} ${body.slice(0, 300)}`; },
  }],
});
const out: LoadResult = {
  requests: result.requests.total,
  rps: result.requests.total / (result.duration || spec.duration),
  p50: result.latency.p50,
  p99: result.latency.p99,
  non2xx: result.non2xx,
  errors: result.errors + result.timeouts,
  ...(sample ? { sample } : {}),
};
process.send!(out, () => process.exit(0));
