// Kubernetes admission webhook (issue 5) over real loopback HTTP: AdmissionReviews of a
// 40-container Deployment (restricted-compliant, so every rule runs to the end and the answer
// is "allowed"), each decision audited durably before the answer. autocannon drives it from a
// child process. In the same run:
// - GET /healthz on the same server with the same client (the HTTP ceiling of this machine);
// - in-process checkWorkload on the same object, per object, against JSON.parse of the review
//   body (work the server does for every request anyway).
// Goal: p99 < 10 ms (the API server's webhook timeout is seconds, but slow webhooks stall deploys).
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config/schema.ts';
import { startServer } from '../src/main/start-server.ts';
import { createLogger } from '../src/main/logger.ts';
import { checkWorkload } from '../src/policy/workload/index.ts';
import { load } from './token-exchange.ts';
import type { LoadResult, LoadSpec } from './load-worker.ts';
import { formatResult, type BenchResult } from './result.ts';

const CONNECTIONS = 10;
const SECONDS = 4;
const ROUNDS = 3;
const CONTAINERS = 40;
const REGISTRIES = ['ghcr.io/acme'];

function container(i: number): Record<string, unknown> {
  return {
    name: `c${i}`, image: `ghcr.io/acme/svc-${i}:1.${i}.0`,
    ports: [{ containerPort: 8000 + i }],
    env: [{ name: 'MODE', value: 'prod' }, { name: 'INDEX', value: String(i) }],
    resources: { requests: { cpu: '10m', memory: '16Mi' }, limits: { memory: '64Mi' } },
    securityContext: { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } },
    volumeMounts: [{ name: 'tmp', mountPath: '/tmp' }],
  };
}

export function bigDeployment(): Record<string, unknown> {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment',
    metadata: { name: 'mesh', namespace: 'shop', labels: { app: 'mesh', owner: 'team-shop' } },
    spec: {
      replicas: 3, selector: { matchLabels: { app: 'mesh' } },
      template: {
        metadata: { labels: { app: 'mesh' } },
        spec: {
          serviceAccountName: 'mesh', automountServiceAccountToken: false,
          securityContext: { runAsNonRoot: true, runAsUser: 10001, seccompProfile: { type: 'RuntimeDefault' } },
          containers: Array.from({ length: CONTAINERS }, (_, i) => container(i)),
          volumes: [{ name: 'tmp', emptyDir: {} }],
        },
      },
    },
  };
}

const reviewBody = (uid: string, object: unknown) => JSON.stringify({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: { uid, operation: 'CREATE', kind: { group: 'apps', version: 'v1', kind: 'Deployment' }, namespace: 'shop', name: 'mesh', object },
});

/** Calls per second of fn over about ms milliseconds. */
function rate(fn: () => void, ms: number): number {
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < ms) { for (let i = 0; i < 64; i++) fn(); n += 64; }
  return n / ((performance.now() - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

export async function benchAdmission(): Promise<BenchResult[]> {
  const deployment = bigDeployment();
  const body = reviewBody('bench', deployment);
  const now = Date.now();
  if (checkWorkload(deployment, { approvedRegistries: REGISTRIES, now }).findings.length !== 0) throw new Error('bench object is not compliant');
  rate(() => checkWorkload(deployment, { approvedRegistries: REGISTRIES, now }), 500);
  const checks = rate(() => checkWorkload(deployment, { approvedRegistries: REGISTRIES, now }), 1500);
  const parses = rate(() => JSON.parse(body), 1500);

  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const server = await startServer({ ...DEFAULTS, dataDir, logLevel: 'silent', listen: { host: '127.0.0.1', port: 0 }, approvedRegistries: REGISTRIES }, createLogger('silent'));
  try {
    const { accessToken } = await server.services.access.issueToken({ id: 'admin', roles: ['admin'] });
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const bodies = Array.from({ length: 64 }, (_, i) => reviewBody(`uid-${i}`, deployment));
    const res = await fetch(`${server.url}/v1/admission`, { method: 'POST', headers, body: bodies[0] });
    const first = await res.json() as { response?: { allowed?: boolean } };
    if (res.status !== 200 || first.response?.allowed !== true) throw new Error(`bench set-up: admission answered ${res.status} ${JSON.stringify(first)}`);
    const spec = (): LoadSpec => ({ url: server.url, path: '/v1/admission', connections: CONNECTIONS, duration: SECONDS, headers, bodies });
    await load({ ...spec(), duration: 1 });
    const healthz = await load({ url: server.url, path: '/healthz', connections: CONNECTIONS, duration: 3, headers: {}, bodies: [''], method: 'GET' });
    const rounds: LoadResult[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const o = await load(spec());
      if (o.non2xx > 0 || o.errors > 0 || o.requests === 0) throw new Error(`admission: ${o.non2xx} non-2xx and ${o.errors} errors (${o.sample ?? ''})`);
      rounds.push(o);
    }
    const rps = median(rounds.map((x) => x.rps));
    return [
      { name: `admission: checkWorkload in-process, ${CONTAINERS}-container Deployment`, value: 1e6 / checks, unit: 'µs/object' },
      { name: 'admission: JSON.parse of the same AdmissionReview (floor)', value: 1e6 / parses, unit: 'µs/object' },
      { name: 'admission: checkWorkload vs parse', value: 1e6 / checks, unit: 'µs/object', ratio: parses / checks, against: 'JSON.parse of the review' },
      { name: `admission: GET /healthz, same server, ${CONNECTIONS} connections (HTTP ceiling)`, value: healthz.rps, unit: 'req/s' },
      { name: `admission: POST /v1/admission over loopback, ${CONTAINERS}-container Deployment (${(body.length / 1024).toFixed(0)} KiB), audited`, value: rps, unit: 'req/s', ratio: rps / healthz.rps, against: 'GET /healthz' },
      { name: 'admission: p50', value: median(rounds.map((x) => x.p50)), unit: 'ms' },
      { name: 'admission: p99 (goal < 10 ms)', value: median(rounds.map((x) => x.p99)), unit: 'ms' },
    ];
  } finally {
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const r of await benchAdmission()) console.log(formatResult(r));
}
