import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { bootstrapAccess } from '../../src/access/index.ts';
import { KEK_MISMATCH } from '../../src/ca/index.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openStore } from '../../src/store/index.ts';
import { STORE_KINDS, PG_URL, openTestStore } from '../helpers/test-store.ts';

const ISSUER = 'https://tessera.test';

for (const kind of STORE_KINDS) {
  describe(`bootstrapAccess on ${kind}`, () => {
    test('first start: kek and admin.key files (0600), keys and admin in the store; a restart reuses them all', async () => {
      const t = await openTestStore(kind);
      try {
        const config = { ...DEFAULTS, dataDir: t.dataDir };
        const a = await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: {} });
        assert.equal(a.adminKeyPath, join(t.dataDir, 'admin.key'));
        assert.equal(a.tokenEndpoint, `${ISSUER}/oauth2/token`);
        for (const f of ['kek', 'admin.key']) assert.equal(statSync(join(t.dataDir, f)).mode & 0o777, 0o600, f);
        const token = (await a.issueToken({ id: 'admin', roles: ['admin'] })).accessToken;
        const seq = (await t.store.audit.head()).seq;

        const b = await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: {} });
        assert.deepEqual(b.publicJwks(), a.publicJwks());
        assert.equal((await b.authenticate(`Bearer ${token}`)).id, 'admin', 'tokens survive a restart');
        assert.equal((await t.store.audit.head()).seq, seq, 'a restart writes nothing');
      } finally { await t.cleanup(); }
    });

    test('a different KEK (environment or edited file) refuses to start with ERR_KEK and changes nothing', async () => {
      const t = await openTestStore(kind);
      try {
        const config = { ...DEFAULTS, dataDir: t.dataDir };
        await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: {} });
        const keys = await t.store.keys.list();
        const seq = (await t.store.audit.head()).seq;
        const refused = (e: unknown) => isTesseraError(e, 'ERR_KEK') && e.message === KEK_MISMATCH;
        await assert.rejects(bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: randomBytes(32).toString('base64url') } }), refused);
        const file = join(t.dataDir, 'kek');
        const original = readFileSync(file, 'utf8');
        writeFileSync(file, randomBytes(32).toString('base64url'));
        await assert.rejects(bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: {} }), refused);
        assert.deepEqual(await t.store.keys.list(), keys);
        assert.equal((await t.store.audit.head()).seq, seq);
        // The same KEK given through the environment works (moving it out of the data folder).
        writeFileSync(file, original);
        const moved = await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: original.trim() } });
        assert.deepEqual(moved.publicJwks(), (await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: original.trim() } })).publicJwks());
        assert.equal(moved.publicJwks().keys.length, 2, "the signing key and its prepared successor");
        rmSync(file);
        await bootstrapAccess({ config, store: t.store, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: original.trim() } });
      } finally { await t.cleanup(); }
    });
  });
}

test('two servers with their own data folders on one PostgreSQL database share keys (same KEK) and the first admin', async () => {
  const a = await openTestStore('postgres');
  const bDir = (await import('../helpers/test-store.ts')).tempDir();
  const b = await openStore({ databaseUrl: PG_URL, schema: a.schema });
  try {
    const kek = randomBytes(32).toString('base64url');
    const [ra, rb] = await Promise.all([
      bootstrapAccess({ config: { ...DEFAULTS, dataDir: a.dataDir }, store: a.store, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: kek } }),
      bootstrapAccess({ config: { ...DEFAULTS, dataDir: bDir }, store: b, clock: systemClock, issuer: ISSUER, env: { TESSERA_KEK: kek } }),
    ]);
    assert.deepEqual(ra.publicJwks(), rb.publicJwks());
    // A token from one server is accepted by the other.
    const token = (await ra.issueToken({ id: 'admin', roles: ['admin'] })).accessToken;
    assert.equal((await rb.authenticate(`Bearer ${token}`)).id, 'admin');
    assert.equal((await a.store.principals.list()).length, 1);
    assert.equal((await a.store.audit.list({ action: 'principal.create', limit: 10 })).length, 1);
  } finally {
    await b.close();
    await a.cleanup();
    rmSync(bDir, { recursive: true, force: true });
  }
});
