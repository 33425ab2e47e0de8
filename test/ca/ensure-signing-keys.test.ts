import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, sign, verify } from 'node:crypto';
import { ensureSigningKeys, encryptPrivateKey, jwkThumbprint, KEK_MISMATCH, type StoredKey } from '../../src/ca/index.ts';
import { openStore, type Store } from '../../src/store/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { STORE_KINDS, PG_URL, openTestStore } from '../helpers/test-store.ts';

async function keyEvents(store: Store) {
  return (await store.audit.list({ action: 'ca.key.create', limit: 100 }));
}

/** Every byte the database holds, as text we can search. */
async function rawDatabase(store: Store, dataDir: string): Promise<string> {
  if (store.dialect === 'sqlite') {
    return ['tessera.db', 'tessera.db-wal'].map((f) => join(dataDir, f)).filter(existsSync)
      .map((p) => readFileSync(p).toString('latin1')).join('\n');
  }
  const rows = [
    ...(await store.db.all('SELECT * FROM signing_keys')),
    ...(await store.db.all('SELECT * FROM audit_events')),
    ...(await store.db.all('SELECT * FROM principals')),
  ];
  return JSON.stringify(rows);
}

for (const kind of STORE_KINDS) {
  describe(`ensureSigningKeys on ${kind}`, () => {
    test('first start creates one active ES256 jwt key and one x509-ca key, audited, kid = JWK thumbprint', async () => {
      const t = await openTestStore(kind);
      try {
        const kek = randomBytes(32);
        const keys = await ensureSigningKeys({ store: t.store, kek, clock: systemClock });
        assert.notEqual(keys.jwt.kid, keys.x509Ca.kid);
        for (const k of [keys.jwt, keys.x509Ca]) {
          assert.equal(k.kid, jwkThumbprint(k.publicJwk));
          assert.equal(k.alg, 'ES256');
          const sig = sign('sha256', Buffer.from('x'), k.privateKey);
          assert.ok(verify('sha256', Buffer.from('x'), k.publicKey, sig));
        }
        const stored = await t.store.keys.list();
        assert.deepEqual(stored.map((k) => [k.purpose, k.status]).sort(), [['jwt', 'active'], ['x509-ca', 'active']]);
        for (const s of stored) assert.match(s.privateKeyEnc, /^v1\.[\w-]+\.[\w-]+\.[\w-]+$/);
        const events = await keyEvents(t.store);
        assert.deepEqual(events.map((e) => e.target).sort(), [keys.jwt.kid, keys.x509Ca.kid].sort());
        assert.ok(events.every((e) => e.outcome === 'success' && e.actor === 'system'));
        assert.deepEqual(keys.jwtPublished.map((k) => k.kid), [keys.jwt.kid]);
      } finally { await t.cleanup(); }
    });

    test('private keys in the database are ciphertext: no PEM, no DER, no d parameter anywhere', async () => {
      const t = await openTestStore(kind);
      try {
        const keys = await ensureSigningKeys({ store: t.store, kek: randomBytes(32), clock: systemClock });
        await t.store.close();
        const reopened = kind === 'sqlite' ? await openStore({ dataDir: t.dataDir }) : await openStore({ databaseUrl: PG_URL, schema: t.schema });
        const raw = await rawDatabase(reopened, t.dataDir);
        await reopened.close();
        assert.ok(raw.includes(keys.jwt.kid), 'the search does see the key rows');
        assert.doesNotMatch(raw, /PRIVATE KEY/);
        for (const k of [keys.jwt, keys.x509Ca]) {
          const d = k.privateKey.export({ format: 'jwk' }).d!;
          const der = k.privateKey.export({ format: 'der', type: 'pkcs8' });
          const scalar = Buffer.from(d, 'base64url');
          assert.ok(!raw.includes(d), 'd (base64url) is not stored');
          assert.ok(!raw.includes(scalar.toString('latin1')), 'd (raw bytes) is not stored');
          assert.ok(!raw.includes(scalar.toString('hex')), 'd (hex) is not stored');
          assert.ok(!raw.includes(der.toString('base64')), 'PKCS#8 DER (base64) is not stored');
          assert.ok(!raw.includes(der.toString('latin1')), 'PKCS#8 DER (raw) is not stored');
        }
      } finally { await t.cleanup(); }
    });

    test('a restart finds the same keys and creates nothing; a different KEK refuses to start with ERR_KEK', async () => {
      const t = await openTestStore(kind);
      try {
        const kek = randomBytes(32);
        const first = await ensureSigningKeys({ store: t.store, kek, clock: systemClock });
        const second = await ensureSigningKeys({ store: t.store, kek: Buffer.from(kek), clock: systemClock });
        assert.equal(second.jwt.kid, first.jwt.kid);
        assert.equal(second.x509Ca.kid, first.x509Ca.kid);
        assert.equal((await keyEvents(t.store)).length, 2);
        const before = await t.store.keys.list();
        await assert.rejects(ensureSigningKeys({ store: t.store, kek: randomBytes(32), clock: systemClock }),
          (e) => isTesseraError(e, 'ERR_KEK') && e.message === KEK_MISMATCH);
        assert.deepEqual(await t.store.keys.list(), before);
        assert.equal((await keyEvents(t.store)).length, 2);
      } finally { await t.cleanup(); }
    });

    test('the database holds at most one active key per purpose (ERR_CONFLICT, nothing stored)', async () => {
      const t = await openTestStore(kind);
      try {
        const kek = randomBytes(32);
        const keys = await ensureSigningKeys({ store: t.store, kek, clock: systemClock });
        const second: StoredKey = {
          kid: 'another', purpose: 'jwt', alg: 'ES256', publicJwk: keys.jwt.publicJwk,
          privateKeyEnc: encryptPrivateKey(kek, 'another', keys.jwt.privateKey), status: 'active', createdAt: 1, activatedAt: 1, retiredAt: null,
        };
        await assert.rejects(t.store.write((tx) => t.store.keys.insert(tx, second)), (e) => isTesseraError(e, 'ERR_CONFLICT'));
        assert.equal((await t.store.keys.list('jwt')).length, 1);
        // A prepared (not active) key for the same purpose is fine.
        await t.store.write((tx) => t.store.keys.insert(tx, { ...second, status: 'prepared', activatedAt: null }));
        assert.equal((await t.store.keys.list('jwt')).length, 2);
      } finally { await t.cleanup(); }
    });

    test('several servers starting at once on one database create exactly one active key per purpose', async () => {
      const t = await openTestStore(kind);
      const others: Store[] = [];
      try {
        for (let i = 0; i < 3; i++) {
          others.push(kind === 'sqlite' ? await openStore({ dataDir: t.dataDir }) : await openStore({ databaseUrl: PG_URL, schema: t.schema }));
        }
        const kek = randomBytes(32);
        const results = await Promise.all([t.store, ...others].map((store) => ensureSigningKeys({ store, kek, clock: systemClock })));
        assert.equal(new Set(results.map((r) => r.jwt.kid)).size, 1);
        assert.equal(new Set(results.map((r) => r.x509Ca.kid)).size, 1);
        const active = (await t.store.keys.list()).filter((k) => k.status === 'active');
        assert.deepEqual(active.map((k) => k.purpose).sort(), ['jwt', 'x509-ca']);
        assert.equal((await keyEvents(t.store)).length, 2);
      } finally {
        for (const s of others) await s.close();
        await t.cleanup();
      }
    });
  });
}
