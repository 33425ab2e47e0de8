// admissionAuth: 'token' (default) keeps the admission routes behind a workload/admin token;
// 'none' makes exactly those two routes public for managed clusters whose API servers send no
// credentials, still audited with the caller's address, and says so once in the start-up log.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { Writable } from 'node:stream';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { tempDir } from '../../helpers/temp.ts';
import { manifest } from '../workload/fixtures.ts';
import { DEFAULTS, type Config } from '../../../src/config/schema.ts';
import { buildServices, closeServices } from '../../../src/main/build-services.ts';
import { createLogger } from '../../../src/main/logger.ts';
import { buildApp } from '../../../src/http/app.ts';

const review = (uid: string, object: Record<string, unknown> = manifest('pod-compliant.yaml')) => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: { uid, operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'shop', name: 'api', object },
});
const ADMISSION_ROUTES = ['POST /v1/admission', 'POST /v1/admission/:environment'];
const publicRoutes = (t: TestServer) => t.routes.filter((r) => r.auth === 'public').map((r) => `${r.method} ${r.url}`);
const admissionEvents = (t: TestServer) => t.store.audit.list({ action: 'admission.review', limit: 1000 });

describe('admissionAuth: token (the default)', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer(); });
  after(() => t.close());

  test('the admission routes need a workload or admin token', () => {
    assert.equal(t.services.config.admissionAuth, 'token');
    for (const r of t.routes.filter((x) => ADMISSION_ROUTES.includes(`${x.method} ${x.url}`))) assert.deepEqual(r.auth, ['admin', 'workload']);
    for (const r of ADMISSION_ROUTES) assert.ok(!publicRoutes(t).includes(r), r);
  });

  test('an AdmissionReview without Authorization is 401 and not reviewed', async () => {
    for (const url of ['/v1/admission', '/v1/admission/prod']) {
      const res = await t.app.inject({ method: 'POST', url, payload: review('no-token') });
      assert.equal(res.statusCode, 401, url);
      assert.equal(res.json().code, 'ERR_UNAUTHENTICATED');
      assert.match(String(res.headers['www-authenticate']), /^Bearer/);
    }
    assert.equal((await admissionEvents(t)).length, 0);
    const [failed] = await t.store.audit.list({ action: 'auth.failed', limit: 1, newestFirst: true });
    assert.equal(JSON.parse(failed!.details).route, '/v1/admission/:environment');
  });
});

describe('admissionAuth: none', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ listen: true, config: { admissionAuth: 'none' } }); });
  after(() => t.close());

  test('exactly the two admission routes become public; every other /v1 route still needs a role', () => {
    const pub = new Set(publicRoutes(t));
    for (const r of ADMISSION_ROUTES) assert.ok(pub.has(r), `${r} is public`);
    const v1Public = t.routes.filter((r) => r.url.startsWith('/v1/') && r.auth === 'public').map((r) => `${r.method} ${r.url}`);
    assert.deepEqual(v1Public.sort(), [...ADMISSION_ROUTES].sort());
  });

  test('an AdmissionReview without any Authorization header is answered with the request uid, over real HTTP', async () => {
    const res = await fetch(`${t.url}/v1/admission`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(review('7d3c2a10-5b1e-4f8a-9c0d-1e2f3a4b5c6d')),
    });
    assert.equal(res.status, 200);
    const body = await res.json() as { apiVersion: string; kind: string; response: { uid: string; allowed: boolean } };
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
    assert.deepEqual(body.response, { uid: '7d3c2a10-5b1e-4f8a-9c0d-1e2f3a4b5c6d', allowed: true });

    // Still audited, as anonymous, with the address the request came from.
    const [e] = await t.store.audit.list({ action: 'admission.review', limit: 1, newestFirst: true });
    assert.equal(e?.actor, 'anonymous');
    assert.equal(e?.outcome, 'success');
    assert.equal(JSON.parse(e!.details).uid, '7d3c2a10-5b1e-4f8a-9c0d-1e2f3a4b5c6d');
    assert.match(String(e?.sourceIp), /^(127\.0\.0\.1|::ffff:127\.0\.0\.1)$/);
  });

  test('the per-environment route works too, and a denial is still a denial', async () => {
    const res = await t.app.inject({ method: 'POST', url: '/v1/admission/prod', payload: review('deny-1', manifest('pod-privileged.yaml')) });
    assert.equal(res.statusCode, 200);
    const r = res.json().response;
    assert.equal(r.uid, 'deny-1');
    assert.equal(r.allowed, false);
    assert.match(r.status.message, /pss\.privileged/);
    const [e] = await t.store.audit.list({ action: 'admission.review', limit: 1, newestFirst: true });
    assert.deepEqual([e?.actor, e?.outcome, JSON.parse(e!.details).environment], ['anonymous', 'denied', 'prod']);
  });

  test('bad input is still refused: no uid is 400 and nothing is audited', async () => {
    const count = (await admissionEvents(t)).length;
    const res = await t.app.inject({ method: 'POST', url: '/v1/admission', payload: { apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' } });
    assert.equal(res.statusCode, 400);
    assert.equal(res.json().code, 'ERR_INVALID_INPUT');
    assert.equal((await admissionEvents(t)).length, count);
  });

  test('other /v1 routes still refuse a caller without a token', async () => {
    const res = await t.app.inject({ method: 'GET', url: '/v1/trust-sources' });
    assert.equal(res.statusCode, 401);
  });
});

/** Starts the app with a logger that captures its lines; returns the warn-level ones. */
async function startupWarnings(over: Partial<Config>): Promise<{ msg: string }[]> {
  const dataDir = tempDir('tessera-adm-');
  const lines: string[] = [];
  const sink = new Writable({ write(chunk, _enc, done) { lines.push(...String(chunk).split('\n').filter((l) => l !== '')); done(); } });
  const services = await buildServices({ ...DEFAULTS, dataDir, logLevel: 'warn', ...over }, createLogger('warn', sink));
  try {
    const { app } = await buildApp(services);
    await app.close();
  } finally {
    await closeServices(services);
    rmSync(dataDir, { recursive: true, force: true });
  }
  return lines.map((l) => JSON.parse(l) as { level: number; msg: string }).filter((l) => l.level === 40);
}

test('start-up logs exactly one warning that the admission routes are unauthenticated with none, and none by default', async () => {
  const about = (w: { msg: string }[]) => w.filter((l) => /admission routes are unauthenticated/.test(l.msg));
  assert.equal(about(await startupWarnings({ admissionAuth: 'none' })).length, 1);
  assert.equal(about(await startupWarnings({})).length, 0);
});
