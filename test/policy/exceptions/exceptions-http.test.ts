// The /v1/exceptions and /v1/elevations routes: roles, strict bodies, debt, YAML export, and the CLI.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { fixedClock } from '../../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { runCli } from '../../helpers/cli.ts';

describe('exception and elevation routes, and the CLI', () => {
  // Behind real time, so that the test can move it forward to the CLI's own clock (which signs the admin assertion).
  const START = Math.floor(Date.now() / 1000) * 1000 - 2 * 86_400_000;
  const clock = fixedClock(START);
  let t: TestServer;
  let flags: string[];
  const headers = async (roles: ('admin' | 'approver' | 'auditor' | 'workload')[], id?: string) => ({ authorization: `Bearer ${await t.tokenFor(roles, id)}` });
  async function call(method: 'GET' | 'POST', url: string, h: Record<string, string>, body?: unknown) {
    const res = await t.app.inject({ method, url, headers: h, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, body: res.headers['content-type']?.toString().includes('json') ? res.json() as Record<string, unknown> : res.body, type: res.headers['content-type'] };
  }
  const body = (over: Record<string, unknown> = {}) => ({
    name: 'legacy-batch', policy: 'run-as-non-root', scope: { namespace: 'batch' }, reason: 'vendor image', owner: 'team-batch',
    approver: 'sec-bob', expiresIn: '7d', ...over,
  });

  before(async () => {
    t = await startTestServer({ listen: true, clock, config: { exceptionMaxTtl: 14 * 86_400 } });
    flags = ['--server', t.url, '--data', t.dataDir];
    await t.tokenFor(['approver'], 'sec-bob');
  });
  after(async () => { await t.close(); });

  test('every route declares its roles', () => {
    const auth = (method: string, url: string) => t.routes.find((r) => r.method === method && r.url === url)?.auth;
    assert.deepEqual(auth('POST', '/v1/exceptions'), ['admin']);
    assert.deepEqual(auth('GET', '/v1/exceptions'), ['admin', 'auditor']);
    assert.deepEqual(auth('POST', '/v1/elevations/:id/approve'), ['approver']);
    assert.deepEqual(auth('POST', '/v1/elevations/:id/deny'), ['approver']);
  });

  test('POST /v1/exceptions: admin only; 201 with status; unknown fields and bad expiry name the field', async () => {
    const admin = await t.adminHeaders();
    assert.equal((await call('POST', '/v1/exceptions', await headers(['auditor']), body())).status, 403);
    assert.equal((await call('POST', '/v1/exceptions', {}, body())).status, 401);
    const created = await call('POST', '/v1/exceptions', admin, body());
    assert.equal(created.status, 201, JSON.stringify(created.body));
    assert.equal((created.body as Record<string, unknown>).status, 'active');
    assert.equal((created.body as Record<string, unknown>).expiresAt, new Date(START + 7 * 86_400_000).toISOString());
    for (const [b, code, field] of [
      [body({ name: 'x1', severity: 'low' }), 'ERR_INVALID_INPUT', 'severity'],
      [body({ name: 'x2', scope: { cluster: 'a' } }), 'ERR_INVALID_INPUT', 'scope.cluster'],
      [body({ name: 'x3', expiresIn: undefined }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expiresAt'],
      [body({ name: 'x4', expiresIn: '15d' }), 'ERR_INVALID_DURATION', 'expiresIn'],
      [body({ name: 'x5', approver: 'admin' }), 'ERR_SELF_APPROVAL', 'approver'],
    ] as const) {
      const r = await call('POST', '/v1/exceptions', admin, b);
      assert.equal(r.status, code === 'ERR_SELF_APPROVAL' ? 403 : 400, JSON.stringify(r.body));
      assert.equal((r.body as Record<string, unknown>).code, code);
      assert.equal((r.body as Record<string, unknown>).field, field);
    }
    const names = ((await call('GET', '/v1/exceptions', admin)).body as { items: { name: string }[] }).items.map((e) => e.name);
    assert.deepEqual(names, ['legacy-batch'], 'nothing else stored');
  });

  test('list (admin, auditor), debt, revoke, YAML export', async () => {
    assert.equal((await call('GET', '/v1/exceptions', await headers(['workload']))).status, 403);
    clock.advance(86_400_000);
    let admin = await t.adminHeaders();
    assert.equal((await call('POST', '/v1/exceptions', admin, body({ name: 'short', policy: 'no-privileged', owner: 'team-web', expiresIn: '1h' }))).status, 201);
    assert.equal((await call('POST', '/v1/exceptions', admin, body({ name: 'gone', expiresIn: '2d' }))).status, 201);
    assert.equal((await call('POST', '/v1/exceptions/gone/revoke', admin)).status, 200);
    assert.equal((await call('POST', '/v1/exceptions/gone/revoke', admin)).status, 409);
    assert.equal((await call('POST', '/v1/exceptions/nope/revoke', admin)).status, 404);
    clock.advance(3_600_000);
    admin = await t.adminHeaders();
    const auditor = await headers(['auditor']);
    const debt = await call('GET', '/v1/exceptions/debt', auditor);
    assert.equal(debt.status, 200);
    assert.deepEqual(debt.body, { active: 1, expired: 1, revoked: 1, oldestAgeSeconds: 86_400 + 3600, byPolicy: { 'run-as-non-root': 1 }, byOwner: { 'team-batch': 1 } });
    const expired = await call('GET', '/v1/exceptions?status=expired', auditor);
    assert.deepEqual((expired.body as { items: { name: string }[] }).items.map((e) => e.name), ['short']);
    assert.equal((await call('GET', '/v1/exceptions?status=lapsed', auditor)).status, 400);
    const yaml = await call('GET', '/v1/exceptions?status=active&format=yaml', auditor);
    assert.match(String(yaml.type), /yaml/);
    const doc = parseYaml(yaml.body as string) as { exceptions: { name: string; policy: string; scope: unknown; expiresAt: string }[] };
    assert.deepEqual(doc.exceptions.map((e) => e.name), ['legacy-batch']);
    assert.deepEqual(doc.exceptions[0]!.scope, { namespace: 'batch' });
  });

  test('elevation routes: unknown fields refused, approve needs the approver role, list for auditors', async () => {
    const requester = await headers(['auditor'], 'aud-dan');
    const bad = await call('POST', '/v1/elevations', requester, { subject: 'aud-dan', grant: { role: 'admin' }, reason: 'r', until: 'x' });
    assert.equal(bad.status, 400);
    const r = await call('POST', '/v1/elevations', requester, { subject: 'sec-bob', grant: { role: 'admin' }, reason: 'break-glass' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const id = (r.body as { id: string }).id;
    assert.equal((await call('POST', `/v1/elevations/${id}/approve`, await t.adminHeaders(), {})).status, 403);
    assert.equal((await call('POST', `/v1/elevations/${id}/approve`, await headers(['approver'], 'sec-bob'), {})).status, 403, 'the subject cannot approve');
    const d = await call('POST', `/v1/elevations/${id}/deny`, await headers(['approver'], 'sec-carol'), { reason: 'no' });
    assert.equal(d.status, 200);
    assert.equal((d.body as { status: string }).status, 'denied');
    assert.equal((await call('POST', `/v1/elevations/${id}/approve`, await headers(['approver'], 'sec-carol'), {})).status, 409);
    assert.equal((await call('POST', '/v1/elevations/nope/approve', await headers(['approver'], 'sec-carol'), {})).status, 404);
    const listed = await call('GET', '/v1/elevations?status=denied', requester);
    assert.deepEqual((listed.body as { items: { id: string }[] }).items.map((e) => e.id), [id]);
    assert.equal((await call('GET', '/v1/elevations', await headers(['workload']))).status, 403);
  });

  test('CLI: exception create/list/debt/revoke/export and elevation request/list', async () => {
    const cli = (...args: string[]) => runCli([...args, ...flags]);
    clock.advance(Date.now() - clock.now());
    let r = await cli('exception', 'create', '--name', 'cli-made', '--policy', 'deny-audience-without-elevation', '--identity', 'spiffe://tessera.local/ci/**',
      '--reason', 'migration', '--owner', 'team-ci', '--approver', 'sec-bob', '--expires', '3d');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /exception cli-made created/);
    r = await cli('exception', 'create', '--name', 'cli-bad', '--policy', 'p', '--identity', 'spiffe://x/y', '--reason', 'r', '--owner', 'o', '--approver', 'sec-bob');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--expires/);
    r = await cli('exception', 'create', '--name', 'cli-long', '--policy', 'p', '--identity', 'spiffe://x/y', '--reason', 'r', '--owner', 'o', '--approver', 'sec-bob', '--expires', '60d');
    assert.equal(r.code, 2);
    assert.match(r.stderr, /ERR_INVALID_DURATION/);
    r = await cli('exception', 'list', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((JSON.parse(r.stdout).items as { name: string }[]).map((e) => e.name).sort(), ['cli-made', 'legacy-batch']);
    r = await cli('exception', 'list', '--all');
    assert.match(r.stdout, /short\s+expired/);
    r = await cli('exception', 'debt', '--json');
    assert.equal(JSON.parse(r.stdout).active, 2);
    const out = join(t.dataDir, 'exceptions.yaml');
    r = await cli('exception', 'export', '--out', out);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual((parseYaml(readFileSync(out, 'utf8')) as { exceptions: { name: string }[] }).exceptions.map((e) => e.name).sort(), ['cli-made', 'legacy-batch']);
    r = await cli('exception', 'revoke', 'cli-made');
    assert.equal(r.code, 0, r.stderr);
    r = await cli('exception', 'revoke', 'cli-made');
    assert.equal(r.code, 2, 'a conflict is exit 2');
    r = await cli('exception', 'frobnicate');
    assert.equal(r.code, 2);

    r = await cli('elevation', 'request', '--subject', 'sec-bob', '--role', 'auditor', '--duration', '30m', '--reason', 'quarterly review', '--json');
    assert.equal(r.code, 0, r.stderr);
    const id = JSON.parse(r.stdout).id as string;
    r = await cli('elevation', 'approve', id);
    assert.equal(r.code, 1, 'the admin key has no approver role');
    assert.match(r.stderr, /403|forbidden|role/i);
    r = await cli('elevation', 'list');
    assert.match(r.stdout, new RegExp(`${id}\\s+requested`));
    r = await cli('elevation', 'revoke', id);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /revoked/);
    r = await cli('elevation', 'request', '--subject', 'sec-bob', '--reason', 'x');
    assert.equal(r.code, 2);
  });
});
