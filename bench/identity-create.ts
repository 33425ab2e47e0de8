// Identity create over HTTP — in-process (Fastify inject) and over real loopback — against the
// rate of the cheapest route the same server answers (GET /healthz) with the same client and
// concurrency in the same run: the ratio is what authentication, validation, guardrails, the
// durable write and its audit event cost on top of bare HTTP handling.
import { rmSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULTS } from '../src/config/schema.ts';
import { startServer } from '../src/main/start-server.ts';
import { createLogger } from '../src/main/logger.ts';
import { Agent, request } from 'node:http';
import { formatResult, type BenchResult } from './result.ts';

// node:http with keep-alive: a lighter client than fetch, so the server side dominates.
const agent = new Agent({ keepAlive: true, maxSockets: 64 });
function httpCall(url: string, method: string, headers: Record<string, string>, body?: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent }, (res) => { res.resume(); res.on('end', () => resolve(res.statusCode ?? 0)); });
    req.on('error', reject);
    req.end(body);
  });
}

const MS = 2500;
const INJECT_CONCURRENCY = 64;
const LOOPBACK_CONCURRENCY = 32;

/** Requests per second with `concurrency` requests always in flight for about `ms`. */
async function rate(send: (i: number) => Promise<number>, concurrency: number, ms: number, expect: number): Promise<number> {
  let n = 0;
  const start = performance.now();
  const worker = async () => {
    while (performance.now() - start < ms) {
      const status = await send(n++);
      if (status !== expect) throw new Error(`bench request answered ${status}, expected ${expect}`);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, worker));
  return n / ((performance.now() - start) / 1000);
}

export async function benchIdentityCreate(): Promise<BenchResult[]> {
  const dataDir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const server = await startServer({ ...DEFAULTS, dataDir, logLevel: 'silent', listen: { host: '127.0.0.1', port: 0 } }, createLogger('silent'));
  try {
    const { accessToken } = await server.services.access.issueToken({ id: 'admin', roles: ['admin'] });
    const headers = { authorization: `Bearer ${accessToken}`, 'content-type': 'application/json' };
    const body = (prefix: string, i: number) => JSON.stringify({
      spiffeId: `spiffe://tessera.local/ns/prod/sa/${prefix}-${i}`, owner: 'team-bench', environment: 'prod', tier: 1, ttl: '15m',
    });
    const app = server.app;
    const injectFloor = await rate(async () => (await app.inject({ method: 'GET', url: '/healthz' })).statusCode, INJECT_CONCURRENCY, MS, 200);
    const injectCreate = await rate(async (i) => (await app.inject({ method: 'POST', url: '/v1/identities', headers, payload: body('inject', i) })).statusCode, INJECT_CONCURRENCY, MS, 201);
    const url = server.url;
    const loopFloor = await rate(() => httpCall(`${url}/healthz`, 'GET', {}), LOOPBACK_CONCURRENCY, MS, 200);
    const loopCreate = await rate((i) => httpCall(`${url}/v1/identities`, 'POST', headers, body('loop', i)), LOOPBACK_CONCURRENCY, MS, 201);
    return [
      { name: 'identity create, inject: GET /healthz (floor)', value: injectFloor, unit: 'req/s' },
      { name: 'identity create, inject: POST /v1/identities', value: injectCreate, unit: 'req/s', ratio: injectCreate / injectFloor, against: 'GET /healthz via inject' },
      { name: 'identity create, loopback: GET /healthz (floor)', value: loopFloor, unit: 'req/s' },
      { name: 'identity create, loopback: POST /v1/identities', value: loopCreate, unit: 'req/s', ratio: loopCreate / loopFloor, against: 'GET /healthz over loopback' },
    ];
  } finally {
    agent.destroy();
    await server.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const r of await benchIdentityCreate()) console.log(formatResult(r));
}
