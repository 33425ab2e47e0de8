import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, randomBytes, sign, verify, X509Certificate } from 'node:crypto';
import { jwkThumbprint, KEK_MISMATCH, signerFor, verifyJws, decodeJws } from '../../src/ca/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { fixedClock, systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { STORE_KINDS, PG_URL, openTestStore } from '../helpers/test-store.ts';
import { KEK, T0, keyEvents, startTestCa } from './ca-fixtures.ts';

/** Every byte the database holds, as text we can search. */
async function rawDatabase(store: Store, dataDir: string): Promise<string> {
  if (store.dialect === 'sqlite') {
    return ['tessera.db', 'tessera.db-wal'].map((f) => join(dataDir, f)).filter(existsSync)
      .map((p) => readFileSync(p).toString('latin1')).join('\n');
  }
  const rows = [...(await store.db.all('SELECT * FROM signing_keys')), ...(await store.db.all('SELECT * FROM audit_events'))];
  return JSON.stringify(rows);
}

for (const kind of STORE_KINDS) {
  describe(`startCa on ${kind}`, () => {
    test('first start: an active ES256 JWT key with a prepared successor, and a self-signed P-256 CA; audited; kid = JWK thumbprint', async () => {
      const clock = fixedClock(T0);
      const t = await openTestStore(kind, { clock });
      try {
        const ca = await startTestCa(t.store, clock);
        const signer = ca.jwtSigner();
        assert.equal(signer.alg, 'ES256');
        const published = ca.jwtKeys();
        assert.deepEqual(published.map((k) => k.status).sort(), ['active', 'prepared']);
        for (const k of published) {
          assert.equal(k.kid, jwkThumbprint(k.publicJwk));
          assert.deepEqual(Object.keys(k.publicJwk).sort(), ['crv', 'kty', 'x', 'y'], 'public members only');
        }
        const active = published.find((k) => k.status === 'active')!;
        assert.equal(active.kid, signer.kid);
        assert.ok(verify('sha256', Buffer.from('x'), active.publicKey, sign('sha256', Buffer.from('x'), signer.privateKey)));

        const issuer = ca.x509Issuer();
        const cert = new X509Certificate(issuer.certDer);
        assert.equal(cert.ca, true);
        assert.ok(cert.verify(cert.publicKey), 'self-signed');
        assert.ok(cert.checkPrivateKey(issuer.privateKey));
        assert.equal(cert.publicKey.asymmetricKeyDetails?.namedCurve, 'prime256v1');
        assert.match(cert.subjectAltName ?? '', /URI:spiffe:\/\/tessera\.local/);
        assert.deepEqual(issuer.chainDer, []);
        assert.equal(Date.parse(cert.validTo), issuer.notAfter);
        assert.equal(issuer.notAfter, T0 + 86_400_000, 'caTtl defaults to 24 h');
        assert.deepEqual(ca.x509Authorities().map((a) => a.certDer), [issuer.certDer]);
        assert.equal(ca.sequence(), T0);

        const stored = await t.store.keys.list();
        assert.deepEqual(stored.map((k) => [k.purpose, k.status]).sort(), [['jwt', 'active'], ['jwt', 'prepared'], ['x509-ca', 'active']]);
        for (const s of stored) assert.match(s.privateKeyEnc, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
        const events = await keyEvents(t.store);
        assert.ok(events.every((e) => e.actor === 'system'));
        assert.deepEqual(events.map((e) => [e.action, e.target, e.details.purpose, e.details.reason]).sort(), [
          ['ca.key.activate', signer.kid, 'jwt', 'first key'],
          ['ca.key.activate', issuer.kid, 'x509-ca', 'first key'],
          ['ca.key.prepare', signer.kid, 'jwt', 'first key'],
          ['ca.key.prepare', issuer.kid, 'x509-ca', 'first key'],
          ['ca.key.prepare', published.find((k) => k.status === 'prepared')!.kid, 'jwt', 'schedule'],
        ].sort());
        ca.close();
      } finally { await t.cleanup(); }
    });

    test('private keys in the database are ciphertext: no PEM, no DER, no d parameter anywhere', async () => {
      const t = await openTestStore(kind);
      try {
        const ca = await startTestCa(t.store, systemClock, { kek: randomBytes(32) });
        await t.store.close();
        const reopened = kind === 'sqlite' ? await openStore({ dataDir: t.dataDir }) : await openStore({ databaseUrl: PG_URL, schema: t.schema });
        const raw = await rawDatabase(reopened, t.dataDir);
        await reopened.close();
        assert.ok(raw.includes(ca.jwtSigner().kid), 'the search does see the key rows');
        assert.doesNotMatch(raw, /PRIVATE KEY/);
        for (const k of [ca.jwtSigner().privateKey, ca.x509Issuer().privateKey]) {
          const d = k.export({ format: 'jwk' }).d!;
          const der = k.export({ format: 'der', type: 'pkcs8' });
          const scalar = Buffer.from(d, 'base64url');
          assert.ok(!raw.includes(d), 'd (base64url) is not stored');
          assert.ok(!raw.includes(scalar.toString('latin1')), 'd (raw bytes) is not stored');
          assert.ok(!raw.includes(scalar.toString('hex')), 'd (hex) is not stored');
          assert.ok(!raw.includes(der.toString('base64')), 'PKCS#8 DER (base64) is not stored');
          assert.ok(!raw.includes(der.toString('latin1')), 'PKCS#8 DER (raw) is not stored');
        }
        ca.close();
      } finally { await t.cleanup(); }
    });

    test('a restart finds the same keys and writes nothing; a different KEK refuses to start with ERR_KEK and changes nothing', async () => {
      const clock = fixedClock(T0);
      const t = await openTestStore(kind, { clock });
      try {
        const first = await startTestCa(t.store, clock);
        const before = await t.store.keys.list();
        const head = (await t.store.audit.head()).seq;
        const second = await startTestCa(t.store, clock, { kek: Buffer.from(KEK) });
        assert.equal(second.jwtSigner().kid, first.jwtSigner().kid);
        assert.equal(second.x509Issuer().kid, first.x509Issuer().kid);
        assert.deepEqual(second.jwtKeys().map((k) => k.kid), first.jwtKeys().map((k) => k.kid));
        assert.equal(second.sequence(), first.sequence());
        assert.equal((await t.store.audit.head()).seq, head, 'a restart writes nothing');
        // A token signed before the restart verifies against the restarted runtime's keys.
        const token = signerFor(first.jwtSigner()).sign({ sub: 'x' }, 'JWT');
        const k = second.jwtKeys().find((p) => p.kid === first.jwtSigner().kid)!;
        assert.ok(verifyJws(token, { alg: k.alg, key: k.publicKey }).ok);

        await assert.rejects(startTestCa(t.store, clock, { kek: randomBytes(32) }), (e) => isTesseraError(e, 'ERR_KEK') && e.message === KEK_MISMATCH);
        assert.deepEqual(await t.store.keys.list(), before);
        assert.equal((await t.store.audit.head()).seq, head);
      } finally { await t.cleanup(); }
    });

    test('several servers starting at once on one database: one active key per purpose, one prepared JWT key', async () => {
      const t = await openTestStore(kind);
      const others: Store[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          others.push(kind === 'sqlite' ? await openStore({ dataDir: t.dataDir }) : await openStore({ databaseUrl: PG_URL, schema: t.schema }));
        }
        const runtimes = await Promise.all([t.store, ...others].map((store) => startTestCa(store, systemClock)));
        assert.equal(new Set(runtimes.map((r) => r.jwtSigner().kid)).size, 1);
        assert.equal(new Set(runtimes.map((r) => r.x509Issuer().kid)).size, 1);
        const keys = await t.store.keys.list();
        assert.deepEqual(keys.filter((k) => k.status !== 'retired').map((k) => `${k.purpose} ${k.status}`).sort(),
          ['jwt active', 'jwt prepared', 'x509-ca active']);
        // Every server publishes the same set once it has re-read the store.
        for (const r of runtimes) await r.reload();
        assert.equal(new Set(runtimes.map((r) => r.jwtKeys().map((k) => k.kid).join())).size, 1);
        const activations = (await keyEvents(t.store)).filter((e) => e.action === 'ca.key.activate');
        assert.equal(activations.length, 2, 'exactly one activation per purpose was recorded');
      } finally {
        for (const s of others) await s.close();
        await t.cleanup();
      }
    });
  });
}

test('RS256: jwtAlg RS256 gives 2048-bit RSA JWT keys (the CA stays P-256)', async () => {
  const clock = fixedClock(T0);
  const t = await openTestStore('sqlite', { clock });
  try {
    const ca = await startTestCa(t.store, clock, { config: { jwtAlg: 'RS256' } });
    assert.equal(ca.jwtSigner().alg, 'RS256');
    assert.equal(ca.jwtSigner().privateKey.asymmetricKeyDetails?.modulusLength, 2048);
    for (const k of ca.jwtKeys()) {
      assert.equal(k.alg, 'RS256');
      assert.deepEqual(Object.keys(k.publicJwk).sort(), ['e', 'kty', 'n']);
      assert.equal(k.kid, jwkThumbprint(k.publicJwk));
    }
    assert.equal(createPublicKey(ca.x509Issuer().privateKey).asymmetricKeyDetails?.namedCurve, 'prime256v1');
    const token = signerFor(ca.jwtSigner()).sign({ sub: 'x' }, 'JWT');
    const d = decodeJws(token);
    assert.ok(d.ok);
    assert.deepEqual(d.jws.header, { alg: 'RS256', kid: ca.jwtSigner().kid, typ: 'JWT' });
    assert.equal(d.jws.signature.length, 256);
    ca.close();
  } finally { await t.cleanup(); }
});

test('a configuration that breaks the CA lifetime rule refuses to start with ERR_CONFIG and writes nothing', async () => {
  const t = await openTestStore('sqlite');
  try {
    await assert.rejects(startTestCa(t.store, systemClock, { config: { svidMaxTtl: 5 * 3600, caTtl: 24 * 3600 } }),
      (e) => isTesseraError(e, 'ERR_CONFIG') && e.details?.field === 'caTtl' && /svidMaxTtl/.test(e.message));
    assert.deepEqual(await t.store.keys.list(), []);
  } finally { await t.cleanup(); }
});
