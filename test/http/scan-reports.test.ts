import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { signerFor } from '../../src/ca/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';
const API = 'spiffe://tessera.local/ns/prod/sa/api';
const DAY = 86_400_000;
const now = () => Math.floor(Date.now() / 1000);
const FP = (n: number) => `sha256:${String(n).padStart(16, '0')}`;

/** A real HTTP receiver on loopback that records every webhook body. */
async function startReceiver(): Promise<{ url: string; bodies: unknown[]; server: Server }> {
  const bodies: unknown[] = [];
  const server = createServer((req, res) => {
    let data = '';
    req.on('data', (c) => { data += c; });
    req.on('end', () => { bodies.push(JSON.parse(data)); res.writeHead(204).end(); });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/leaks`, bodies, server };
}

/** A loopback port nobody listens on. */
async function deadUrl(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}/hook`;
}

async function setUp(t: TestServer): Promise<{ admin: Record<string, string>; workload: Record<string, string>; auditor: Record<string, string> }> {
  const admin = await t.adminHeaders();
  const workload = { authorization: `Bearer ${await t.tokenFor(['workload'], 'spiffe://tessera.local/ns/ci/sa/scanner')}` };
  const auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
  for (const body of [
    { spiffeId: LEGACY, owner: 'team-legacy', environment: 'prod', tier: 1, ttl: '15m',
      staticException: { reason: 'mainframe cannot do OIDC yet', expiresAt: new Date(Date.now() + 60 * DAY).toISOString() } },
    { spiffeId: API, owner: 'team-api', environment: 'prod', tier: 2, ttl: '1h' },
  ]) {
    const res = await fetch(`${t.url}/v1/identities`, { method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify(body) });
    assert.equal(res.status, 201, await res.text());
  }
  return { admin, workload, auditor };
}

async function newStaticKey(t: TestServer, admin: Record<string, string>): Promise<string> {
  const res = await fetch(`${t.url}/v1/identities/${encodeURIComponent(LEGACY)}/keys`, {
    method: 'POST', headers: { ...admin, 'content-type': 'application/json' }, body: JSON.stringify({ expires: '30d' }),
  });
  assert.equal(res.status, 201);
  return ((await res.json()) as { key: string }).key;
}

const svid = (t: TestServer, over: Record<string, unknown> = {}) => signerFor(t.services.ca.jwtSigner())
  .sign({ iss: t.services.issuer, sub: API, aud: ['orders'], iat: now(), exp: now() + 300, jti: randomUUID(), ...over }, 'JWT');

async function post(t: TestServer, headers: Record<string, string>, body: unknown): Promise<{ status: number; json: Record<string, any> }> {
  const res = await fetch(`${t.url}/v1/scan-reports`, { method: 'POST', headers: { ...headers, 'content-type': 'application/json' }, body: typeof body === 'string' ? body : JSON.stringify(body) });
  return { status: res.status, json: (await res.json()) as Record<string, any> };
}

async function introspect(t: TestServer, headers: Record<string, string>, token: string): Promise<Record<string, unknown>> {
  const res = await fetch(`${t.url}/oauth2/introspect`, { method: 'POST', headers: { ...headers, 'content-type': 'application/x-www-form-urlencoded' }, body: new URLSearchParams({ token }).toString() });
  return (await res.json()) as Record<string, unknown>;
}

describe('POST /v1/scan-reports with a webhook receiver', () => {
  let t: TestServer;
  let hook: Awaited<ReturnType<typeof startReceiver>>;
  let h: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    hook = await startReceiver();
    t = await startTestServer({ listen: true, config: { leakWebhookUrl: hook.url } });
    h = await setUp(t);
  });
  after(async () => { await t.close(); await new Promise<void>((r) => hook.server.close(() => r())); });

  test('a leaked tsk_ key is revoked at once, introspects inactive, keeps the detection time, and its owner is told', async () => {
    const key = await newStaticKey(t, h.admin);
    assert.equal((await introspect(t, h.auditor, key)).active, true);
    const detectedAt = Date.now() - 5 * 60_000;
    hook.bodies.length = 0;
    const r = await post(t, h.workload, { detectedAt, findings: [{ detector: 'tessera-static-key', secret: key, path: 'config/app.env', line: 3, fingerprint: FP(1) }] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.revoked.length, 1);
    const rv = r.json.revoked[0];
    assert.deepEqual([rv.kind, rv.identity, rv.owner, rv.path, rv.created, rv.detectedAt], ['static-key', LEGACY, 'team-legacy', 'config/app.env', true, new Date(detectedAt).toISOString()]);
    assert.equal(r.json.notified, true);
    assert.deepEqual(r.json.instructions, []);
    assert.deepEqual(await introspect(t, h.auditor, key), { active: false });
    const stored = (await t.store.revocations.listSince(0, Date.now(), 1000)).find((x) => x.id === rv.revocationId)!;
    assert.equal(stored.detectedAt, detectedAt);
    assert.equal(stored.reason, 'leaked: found by scanner at config/app.env');
    assert.ok(stored.revokedAt >= detectedAt);
    // The webhook got one POST with the agreed body.
    assert.equal(hook.bodies.length, 1);
    assert.deepEqual(hook.bodies[0], {
      event: 'tessera.leak.revoked', identity: LEGACY, owner: 'team-legacy', detector: 'tessera-static-key', path: 'config/app.env',
      fingerprint: FP(1), revocationId: rv.revocationId, detectedAt: rv.detectedAt, revokedAt: rv.revokedAt,
    });
    // Audited by fingerprint and detector, never with the secret.
    const ev = (await t.store.audit.list({ action: 'scan.report', limit: 1, newestFirst: true }))[0]!;
    assert.equal(ev.outcome, 'success');
    assert.deepEqual(JSON.parse(ev.details).findings, [{ detector: 'tessera-static-key', fingerprint: FP(1), path: 'config/app.env', line: 3 }]);
    const all = JSON.stringify(await t.store.audit.list({ limit: 1000 }));
    assert.ok(!all.includes(key.slice(4)), 'no audit event holds the key');
    // Reporting it again changes nothing and notifies nobody.
    const again = await post(t, h.workload, { findings: [{ detector: 'tessera-static-key', secret: key, path: 'config/app.env', line: 3, fingerprint: FP(1) }] });
    assert.deepEqual([again.status, again.json.revoked[0].created, again.json.revoked[0].revocationId, again.json.notified], [200, false, rv.revocationId, false]);
    assert.equal(hook.bodies.length, 1);
  });

  test('a leaked JWT-SVID is revoked and introspects inactive; a foreign-issuer JWT and other providers get steps only', async () => {
    const token = svid(t);
    const foreign = svid(t, { iss: 'https://elsewhere.test' });
    const before = (await t.store.revocations.listSince(0, Date.now(), 1000)).length;
    const r = await post(t, h.admin, { findings: [
      { detector: 'jwt', secret: token, path: 'logs/ci.log', line: 10, fingerprint: FP(2) },
      { detector: 'jwt', secret: foreign, path: 'logs/ci.log', line: 11, fingerprint: FP(3) },
      { detector: 'aws-access-key', secret: 'AKIAIOSFODNN7EXAMPLE', path: 'a.tf', line: 1, fingerprint: FP(4) },
    ] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.deepEqual(r.json.revoked.map((x: any) => [x.kind, x.identity, x.owner, x.fingerprint]), [['jwt_svid', API, 'team-api', FP(2)]]);
    assert.deepEqual(r.json.instructions.map((x: any) => x.fingerprint), [FP(3), FP(4)]);
    for (const i of r.json.instructions) assert.ok(typeof i.step === 'string' && i.step.length > 10);
    assert.deepEqual(await introspect(t, h.auditor, token), { active: false });
    assert.equal((await introspect(t, h.auditor, foreign)).active, false, 'foreign is never active here anyway');
    assert.equal((await t.store.revocations.listSince(0, Date.now(), 1000)).length, before + 1, 'only our JWT was revoked');
  });

  test('break-glass is audited as scan.break-glass with who, why and which findings', async () => {
    const r = await post(t, h.workload, { breakGlass: { reason: 'test fixture, not a real key', actor: 'dev@example.com' },
      findings: [{ detector: 'github-pat', path: 'test/fixtures/a.txt', line: 2, fingerprint: FP(5) }] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.breakGlass, true);
    const ev = (await t.store.audit.list({ action: 'scan.break-glass', limit: 1, newestFirst: true }))[0]!;
    const d = JSON.parse(ev.details);
    assert.deepEqual([ev.outcome, ev.target, d.reason, d.reportedBy, d.findings], ['success', 'dev@example.com', 'test fixture, not a real key', 'dev@example.com',
      [{ detector: 'github-pat', fingerprint: FP(5), path: 'test/fixtures/a.txt', line: 2 }]]);
  });

  test('bad input is refused with a code and revokes nothing', async () => {
    const key = await newStaticKey(t, h.admin);
    const good = { detector: 'tessera-static-key', secret: key, path: 'x.env', line: 1, fingerprint: FP(6) };
    const count = async () => (await t.store.revocations.listSince(0, Date.now(), 10_000)).length;
    const before = await count();
    const cases: [unknown, number, string, string?][] = [
      [{ findings: [good], extra: 1 }, 400, 'ERR_INVALID_INPUT'],
      [{ findings: [{ ...good, password: 'x' }] }, 400, 'ERR_INVALID_INPUT'],
      [{ findings: Array.from({ length: 1001 }, (_, i) => ({ ...good, fingerprint: FP(1000 + i) })) }, 400, 'ERR_INVALID_INPUT'],
      [{ findings: [] }, 400, 'ERR_INVALID_INPUT', 'findings'],
      [{ findings: [good, { ...good, line: 0 }] }, 400, 'ERR_INVALID_INPUT', 'findings[1].line'],
      [{ findings: [good, { ...good, detector: 'Bad Id' }] }, 400, 'ERR_INVALID_INPUT', 'findings[1].detector'],
      [{ findings: [good, { ...good, fingerprint: 'short' }] }, 400, 'ERR_INVALID_INPUT', 'findings[1].fingerprint'],
      [{ findings: [good], detectedAt: Date.now() + DAY }, 400, 'ERR_INVALID_INPUT', 'detectedAt'],
      [{ findings: [good], breakGlass: { reason: '   ' } }, 400, 'ERR_INVALID_INPUT', 'breakGlass.reason'],
      [JSON.stringify({ findings: [{ ...good, path: 'p'.repeat(3 * 1024 * 1024) }] }), 413, 'ERR_BODY_TOO_LARGE'],
    ];
    for (const [body, status, code, field] of cases) {
      const r = await post(t, h.workload, body);
      assert.equal(r.status, status, JSON.stringify(r.json).slice(0, 300));
      assert.equal(r.json.code, code);
      if (field) assert.equal(r.json.field, field);
    }
    assert.equal(await count(), before, 'nothing revoked');
    assert.equal((await introspect(t, h.auditor, key)).active, true);
    const refused = await t.store.audit.list({ action: 'scan.report', limit: 1, newestFirst: true });
    assert.equal(refused[0]!.outcome, 'denied');
    // Roles: an auditor may not report.
    const r = await post(t, h.auditor, { findings: [good] });
    assert.equal(r.status, 403);
    assert.equal((await introspect(t, h.auditor, key)).active, true);
  });
});

describe('POST /v1/scan-reports when the webhook is down', () => {
  let t: TestServer;
  let h: Awaited<ReturnType<typeof setUp>>;
  before(async () => {
    t = await startTestServer({ listen: true, config: { leakWebhookUrl: await deadUrl() } });
    h = await setUp(t);
  });
  after(async () => { await t.close(); });

  test('the revocation still happens and the answer says nobody was notified', async () => {
    const key = await newStaticKey(t, h.admin);
    const r = await post(t, h.workload, { findings: [{ detector: 'tessera-static-key', secret: key, path: 'k.txt', line: 1, fingerprint: FP(7) }] });
    assert.equal(r.status, 200, JSON.stringify(r.json));
    assert.equal(r.json.revoked.length, 1);
    assert.equal(r.json.notified, false);
    assert.deepEqual(await introspect(t, h.auditor, key), { active: false });
  });
});

describe('leakWebhookUrl configuration', () => {
  test('an http(s) URL with a path is accepted; anything else is ERR_CONFIG naming the flag', async () => {
    const { parseLayer } = await import('../../src/config/schema.ts');
    assert.deepEqual(parseLayer({ leakWebhookUrl: 'https://hooks.example.com/tessera/leaks?team=x' }, 'flag'), { leakWebhookUrl: 'https://hooks.example.com/tessera/leaks?team=x' });
    for (const bad of ['ftp://x.test/h', 'not a url', 'https://user:pw@hooks.example.com/h', '']) {
      assert.throws(() => parseLayer({ leakWebhookUrl: bad }, 'flag', () => '--leak-webhook-url'),
        (e: any) => e.code === 'ERR_CONFIG' && e.details.field === '--leak-webhook-url', bad);
    }
  });
});
