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
