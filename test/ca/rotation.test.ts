// Key rotation under a controlled clock: prepare publishes before signing, activation switches
// the signer, retired keys stay published until everything they signed has expired.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { CONFIG_CHANGE_LEAD_MS, RETIRE_GRACE_MS, signerFor, verifyJws, type StartedCa } from '../../src/ca/index.ts';
import { openStore } from '../../src/store/index.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { SYSTEM, type RequestContext } from '../../src/shared/context.ts';
import { PG_URL, STORE_KINDS, openTestStore } from '../helpers/test-store.ts';
import { HOUR, T0, keyEvents, startTestCa } from './ca-fixtures.ts';

const kids = (ca: StartedCa) => ca.jwtKeys().map((k) => k.kid).sort();
const statusOf = (ca: StartedCa, kid: string) => ca.jwtKeys().find((k) => k.kid === kid)?.status;
/** Verifies a token the way a relying party holding our JWKS does: by kid, among the published keys. */
function verifies(ca: StartedCa, token: string): boolean {
  const kid = JSON.parse(Buffer.from(token.split('.')[0]!, 'base64url').toString()).kid as string;
  const k = ca.jwtKeys().find((p) => p.kid === kid);
  return k !== undefined && verifyJws(token, { alg: k.alg, key: k.publicKey }).ok;
}
const ADMIN: RequestContext = { actor: { id: 'admin', roles: ['admin'] }, requestId: 'r-1', sourceIp: '127.0.0.1' };

for (const kind of STORE_KINDS) {
  describe(`JWT key rotation on schedule (${kind})`, () => {
    test('the successor is published before it signs, takes over at 5/6 of jwtKeyTtl; the old key stays published until its tokens expire, then disappears', async () => {
      const clock = fixedClock(T0);
      const t = await openTestStore(kind, { clock });
      try {
        // jwtKeyTtl 24 h: activation at 20 h. Tokens: svidMaxTtl 1 h, admin tokens 10 min.
        const ca = await startTestCa(t.store, clock);
        const a = ca.jwtSigner().kid;
        const b = ca.jwtKeys().find((k) => k.status === 'prepared')!.kid;
        const oldToken = signerFor(ca.jwtSigner()).sign({ sub: 'spiffe://tessera.local/x', exp: 0 }, 'JWT');
        const seq0 = ca.sequence();

        clock.advance(20 * HOUR - 1);
        await ca.tick();
        assert.equal(ca.jwtSigner().kid, a, 'not yet');
        assert.deepEqual(kids(ca), [a, b].sort());

        clock.advance(1);
        await ca.tick();
        const rotatedAt = clock.now();
        assert.equal(ca.jwtSigner().kid, b, 'the prepared key signs now');
        assert.equal(statusOf(ca, a), 'retired');
        const c = ca.jwtKeys().find((k) => k.status === 'prepared')!.kid;
        assert.deepEqual(kids(ca), [a, b, c].sort(), 'old, new and the next one are all published');
        assert.ok(ca.sequence() > seq0);
        assert.ok(verifies(ca, oldToken), 'a token signed by the old key still verifies');
        assert.ok(verifies(ca, signerFor(ca.jwtSigner()).sign({ sub: 'x' }, 'JWT')));
        const stored = (await t.store.keys.list()).find((k) => k.kid === a)!;
        assert.equal(stored.publishUntil, rotatedAt + HOUR + RETIRE_GRACE_MS, 'the longest token (1 h SVID) plus the grace');
        assert.equal(stored.privateKeyEnc, '', 'a retired key can never sign again');

        // Dropped by time alone (no reload needed) once its last token has expired.
        clock.advance(HOUR + RETIRE_GRACE_MS - 1);
        assert.ok(kids(ca).includes(a));
        const seq1 = ca.sequence();
        clock.advance(1);
        assert.deepEqual(kids(ca), [b, c].sort());
        assert.ok(!verifies(ca, oldToken));
        assert.ok(ca.sequence() > seq1, 'dropping a key is a change of the published set');

        const events = await keyEvents(t.store);
        assert.deepEqual(events.filter((e) => e.details.purpose === 'jwt' && e.details.reason === 'schedule').map((e) => [e.action, e.target]), [
          ['ca.key.prepare', b], ['ca.key.retire', a], ['ca.key.activate', b], ['ca.key.prepare', c],
        ]);
        ca.close();
      } finally { await t.cleanup(); }
    });

    test('X.509 CA: successor prepared at half life (in the bundle, not issuing), active at 5/6; the old CA stays in the bundle while its SVIDs live', async () => {
      const clock = fixedClock(T0);
      const t = await openTestStore(kind, { clock });
      try {
        const ca = await startTestCa(t.store, clock); // caTtl 24 h, svidMaxTtl 1 h
        const first = ca.x509Issuer();
        const start = new X509Certificate(first.certDer);
        const nb = Date.parse(start.validFrom);
        const life = Date.parse(start.validTo) - nb;
        assert.deepEqual(ca.x509Authorities().map((x) => x.certDer), [first.certDer]);

        clock.advance(nb + life / 2 - 1 - clock.now());
        await ca.tick();
        assert.equal(ca.x509Authorities().length, 1, 'not yet');
        clock.advance(1);
        await ca.tick();
        assert.equal(ca.x509Issuer().kid, first.kid, 'the prepared CA does not issue');
        const authorities = ca.x509Authorities();
        assert.equal(authorities.length, 2, 'but it is in the bundle already');
        const next = (await t.store.keys.list('x509-ca')).find((k) => k.status === 'prepared')!;
        assert.ok(authorities.some((x) => x.certDer.equals(next.certDer!)));

        clock.advance(nb + Math.floor(life * 5 / 6) - 1 - clock.now());
        await ca.tick();
        assert.equal(ca.x509Issuer().kid, first.kid, 'not yet');
        clock.advance(1);
        await ca.tick();
        assert.equal(ca.x509Issuer().kid, next.kid);
        assert.ok(ca.x509Issuer().notAfter > clock.now() + 6 * HOUR);
        assert.equal(ca.x509Authorities().length, 2, 'the old CA still anchors the SVIDs it issued');
        clock.advance(HOUR + RETIRE_GRACE_MS);
        assert.deepEqual(ca.x509Authorities().map((x) => x.certDer), [next.certDer]);
        ca.close();
      } finally { await t.cleanup(); }
    });

    test('a forced rotation activates the already-published successor: a relying party holding the JWKS from before verifies new tokens without refetching', async () => {
      const clock = fixedClock(T0);
      const t = await openTestStore(kind, { clock });
      try {
        const ca = await startTestCa(t.store, clock);
        const before = ca.jwtKeys().map((k) => k.kid);
        const oldSigner = ca.jwtSigner().kid;
        const oldCa = ca.x509Issuer().kid;
        await ca.rotate('all', ADMIN);
        assert.notEqual(ca.jwtSigner().kid, oldSigner);
        assert.ok(before.includes(ca.jwtSigner().kid), 'the new signing key was published before the rotation');
        assert.notEqual(ca.x509Issuer().kid, oldCa);
        assert.equal(statusOf(ca, oldSigner), 'retired');
        assert.ok(ca.jwtKeys().some((k) => k.status === 'prepared'), 'and the next successor is published at once');
        const forced = (await keyEvents(t.store)).filter((e) => e.details.reason === 'forced');
        assert.ok(forced.every((e) => e.actor === 'admin'));
        assert.deepEqual(forced.map((e) => `${e.action} ${e.details.purpose}`), [
          'ca.key.retire jwt', 'ca.key.activate jwt', 'ca.key.retire x509-ca', 'ca.key.prepare x509-ca', 'ca.key.activate x509-ca',
        ]);
        // Rotating only one kind leaves the other alone.
        const caKid = ca.x509Issuer().kid;
        await ca.rotate('jwt', SYSTEM);
        assert.equal(ca.x509Issuer().kid, caKid);
        ca.close();
      } finally { await t.cleanup(); }
    });
  });
}

test('two servers on one PostgreSQL schema, rotating at once (forced and scheduled): one active key per purpose, and each sees the other\'s keys', async () => {
  const clock = fixedClock(T0);
  const t = await openTestStore('postgres', { clock });
  const other = await openStore({ databaseUrl: PG_URL, schema: t.schema, clock });
  try {
    const [a, b] = await Promise.all([startTestCa(t.store, clock), startTestCa(other, clock)]);
    for (let i = 0; i < 3; i++) await Promise.all([a.rotate('all', ADMIN), b.rotate('all', ADMIN)]);
    const check = async () => {
      const keys = await t.store.keys.list();
      for (const purpose of ['jwt', 'x509-ca'] as const) {
        assert.equal(keys.filter((k) => k.purpose === purpose && k.status === 'active').length, 1, `one active ${purpose} key`);
        assert.ok(keys.filter((k) => k.purpose === purpose && k.status === 'prepared').length <= 1, `at most one prepared ${purpose} key`);
      }
      await Promise.all([a.reload(), b.reload()]);
      assert.equal(a.jwtSigner().kid, b.jwtSigner().kid);
      assert.equal(a.x509Issuer().kid, b.x509Issuer().kid);
      assert.deepEqual(kids(a), kids(b));
      // A token from either server verifies with the other's published keys.
      assert.ok(verifies(b, signerFor(a.jwtSigner()).sign({ sub: 'x' }, 'JWT')));
    };
    await check();
    // Both servers' timers fire at the same moment, past the activation time: one activation.
    const activationsBefore = (await keyEvents(t.store)).filter((e) => e.action === 'ca.key.activate').length;
    clock.advance(20 * HOUR);
    await Promise.all([a.tick(), b.tick()]);
    await check();
    const activations = (await keyEvents(t.store)).filter((e) => e.action === 'ca.key.activate').length - activationsBefore;
    assert.equal(activations, 2, 'one JWT activation and one CA activation, not one per server');
    a.close();
    b.close();
  } finally {
    await other.close();
    await t.cleanup();
  }
});

test('changing jwtAlg: the prepared key of the old algorithm is withdrawn, one of the new algorithm is published, and it signs after the lead time', async () => {
  const clock = fixedClock(T0);
  const t = await openTestStore('sqlite', { clock });
  try {
    const es = await startTestCa(t.store, clock);
    const oldPrepared = es.jwtKeys().find((k) => k.status === 'prepared')!.kid;
    es.close();
    clock.advance(HOUR);
    const rs = await startTestCa(t.store, clock, { config: { jwtAlg: 'RS256' } });
    assert.equal(rs.jwtSigner().alg, 'ES256', 'still signing with the published ES256 key');
    assert.ok(!rs.jwtKeys().some((k) => k.kid === oldPrepared), 'the ES256 successor never signs and is unpublished');
    const next = rs.jwtKeys().find((k) => k.status === 'prepared')!;
    assert.equal(next.alg, 'RS256');
    clock.advance(CONFIG_CHANGE_LEAD_MS - 1);
    await rs.tick();
    assert.equal(rs.jwtSigner().alg, 'ES256');
    clock.advance(1);
    await rs.tick();
    assert.equal(rs.jwtSigner().kid, next.kid);
    assert.equal(rs.jwtSigner().alg, 'RS256');
    const reasons = (await keyEvents(t.store)).filter((e) => e.details.reason === 'configuration changed').map((e) => e.action);
    assert.deepEqual(reasons, ['ca.key.retire', 'ca.key.prepare', 'ca.key.retire', 'ca.key.activate']);
    rs.close();
  } finally { await t.cleanup(); }
});

test('a server that was down past its CA\'s expiry replaces the CA at start', async () => {
  const clock = fixedClock(T0);
  const t = await openTestStore('sqlite', { clock });
  try {
    const first = await startTestCa(t.store, clock);
    const old = first.x509Issuer();
    first.close();
    clock.advance(48 * HOUR);
    const later = await startTestCa(t.store, clock);
    assert.notEqual(later.x509Issuer().kid, old.kid);
    assert.ok(later.x509Issuer().notAfter > clock.now());
    assert.ok(!later.x509Authorities().some((x) => x.certDer.equals(old.certDer)), 'an expired CA is not advertised');
    assert.ok((await keyEvents(t.store)).some((e) => e.action === 'ca.key.activate' && e.details.reason === 'expired'));
    later.close();
  } finally { await t.cleanup(); }
});
