// Access tokens follow the CA's JWT keys: signed by the key of the moment, accepted while their
// key is published, and a server that has not re-read the keys yet picks up another server's
// rotation from the store on the first unknown kid (nothing is fetched from elsewhere).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapAccess } from '../../src/access/index.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import { SYSTEM } from '../../src/shared/context.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openStore } from '../../src/store/index.ts';
import { PG_URL, openTestStore, tempDir } from '../helpers/test-store.ts';
import { KEK, T0, startTestCa } from '../ca/ca-fixtures.ts';

const ISSUER = 'https://tessera.test';

test('an admin session survives rotations, and new tokens use the new key', async () => {
  const clock = fixedClock(T0);
  const t = await openTestStore('sqlite', { clock });
  try {
    const ca = await startTestCa(t.store, clock);
    const access = await bootstrapAccess({ config: { ...DEFAULTS, dataDir: t.dataDir }, store: t.store, clock, issuer: ISSUER, ca });
    const { accessToken } = await access.issueToken({ id: 'admin', roles: ['admin'] });
    const signedBy = ca.jwtSigner().kid;
    await ca.rotate('jwt', SYSTEM);
    await ca.rotate('jwt', SYSTEM);
    assert.notEqual(ca.jwtSigner().kid, signedBy);
    assert.equal((await access.authenticate(`Bearer ${accessToken}`)).id, 'admin', 'still accepted: its key is published');
    const fresh = (await access.issueToken({ id: 'admin', roles: ['admin'] })).accessToken;
    assert.equal(JSON.parse(Buffer.from(fresh.split('.')[0]!, 'base64url').toString()).kid, ca.jwtSigner().kid, 'new tokens use the new key');
    assert.equal((await access.authenticate(`Bearer ${fresh}`)).id, 'admin');
    ca.close();
  } finally { await t.cleanup(); }
});

test('two servers on one PostgreSQL database: a token signed after a rotation on one is accepted by the other at once', async () => {
  const clock = fixedClock(T0);
  const a = await openTestStore('postgres', { clock });
  const bDir = tempDir();
  const bStore = await openStore({ databaseUrl: PG_URL, schema: a.schema, clock });
  try {
    const caA = await startTestCa(a.store, clock, { kek: KEK });
    const caB = await startTestCa(bStore, clock, { kek: KEK });
    const accessA = await bootstrapAccess({ config: { ...DEFAULTS, dataDir: a.dataDir }, store: a.store, clock, issuer: ISSUER, ca: caA });
    const accessB = await bootstrapAccess({ config: { ...DEFAULTS, dataDir: bDir }, store: bStore, clock, issuer: ISSUER, ca: caB });
    // Two rotations on A: its signing key is now one B has never read (no timer runs here).
    await caA.rotate('jwt', SYSTEM);
    await caA.rotate('jwt', SYSTEM);
    assert.ok(!caB.jwtKeys().some((k) => k.kid === caA.jwtSigner().kid));
    const token = (await accessA.issueToken({ id: 'admin', roles: ['admin'] })).accessToken;
    assert.equal((await accessB.authenticate(`Bearer ${token}`)).id, 'admin');
    assert.equal(caB.jwtSigner().kid, caA.jwtSigner().kid, 'B re-read the keys and signs with the same key now');
    // A kid no server published is still refused (after at most one re-read).
    const forged = `${Buffer.from(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: 'nope' })).toString('base64url')}.e30.AA`;
    await assert.rejects(accessB.authenticate(`Bearer ${forged}`), (e) => isTesseraError(e, 'ERR_UNAUTHENTICATED') && /does not know/.test(e.message));
    caA.close();
    caB.close();
  } finally {
    await bStore.close();
    await a.cleanup();
  }
});
