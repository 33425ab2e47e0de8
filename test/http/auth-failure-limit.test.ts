// A flood of bad tokens from one address: past authFailuresPerMinute it is answered 429 without
// checking anything, and audited once, not once per request; other addresses are not affected,
// and the window ends.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { fixedClock } from '../../src/shared/clock.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

describe('failed-authentication limit', () => {
  let t: TestServer;
  const clock = fixedClock(Date.now());
  before(async () => { t = await startTestServer({ clock, config: { authFailuresPerMinute: 5 } }); });
  after(async () => { await t.close(); });
  const call = (headers: Record<string, string>, ip = '203.0.113.7') =>
    t.app.inject({ method: 'GET', url: '/v1/identities', headers, remoteAddress: ip });

  test('401 up to the limit, then 429 with Retry-After; one auth.rate-limited record; others unaffected; the window ends', async () => {
    const bad = { authorization: 'Bearer not-a-token' };
    const before = (await t.store.audit.list({ action: 'auth.failed', limit: 1000 })).length;
    for (let i = 0; i < 6; i++) assert.equal((await call(bad)).statusCode, 401, `attempt ${i + 1}`);
    const limited = await call(bad);
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().code, 'ERR_RATE_LIMITED');
    assert.ok(Number(limited.headers['retry-after']) >= 1);
    // Even a valid token from that address waits for the window: nothing is checked meanwhile.
    const admin = await t.adminHeaders();
    assert.equal((await call(admin)).statusCode, 429);
    for (let i = 0; i < 20; i++) await call(bad);
    assert.equal((await t.store.audit.list({ action: 'auth.failed', limit: 1000 })).length - before, 6, 'refusals past the limit are not audited');
    assert.equal((await t.store.audit.list({ action: 'auth.rate-limited', limit: 10 })).length, 1);
    assert.equal((await call(admin, '198.51.100.9')).statusCode, 200, 'another address is not affected');
    clock.advance(60_000);
    assert.equal((await call(admin)).statusCode, 200, 'the next window starts clean');
  });
});

describe('failed-authentication limit on the token endpoint', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer({ config: { authFailuresPerMinute: 3 } }); });
  after(async () => { await t.close(); });
  const token = (assertion: string, ip = '203.0.113.9') => t.app.inject({
    method: 'POST', url: '/oauth2/token', remoteAddress: ip, headers: { 'content-type': 'application/x-www-form-urlencoded' },
    payload: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
  });

  test('refused grants count; past the limit 429 (OAuth error body) before verification, audited once', async () => {
    const before = (await t.store.audit.list({ limit: 1000 })).length;
    for (let i = 0; i < 4; i++) {
      const r = await token('a.b.c');
      assert.equal(r.statusCode === 400 || r.statusCode === 401, true, `attempt ${i + 1}: ${r.statusCode} ${r.body}`);
    }
    const limited = await token('a.b.c');
    assert.equal(limited.statusCode, 429);
    assert.equal(limited.json().error, 'temporarily_unavailable');
    for (let i = 0; i < 10; i++) await token('a.b.c');
    const events = (await t.store.audit.list({ limit: 1000 })).slice(before);
    assert.equal(events.filter((e) => e.action === 'auth.rate-limited').length, 1);
    assert.ok(events.length <= 4 + 1, `refusals past the limit are not audited (${events.length} events)`);
    assert.notEqual((await token('a.b.c', '198.51.100.1')).statusCode, 429, 'another address is not affected');
  });
});
