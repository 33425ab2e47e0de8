// Two Tessera servers on one PostgreSQL database: a DPoP proof captured from a request to one of
// them cannot be replayed against the other (RFC 9449 §11.1). On the embedded store nothing is
// written for a proof.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dpop from 'dpop';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';

const count = async (t: TestServer) => Number((await t.store.db.get<{ n: number | string }>('SELECT COUNT(*) AS n FROM dpop_proofs'))?.n);

describe('DPoP replay across two servers sharing PostgreSQL', () => {
  let a: TestServer;
  let b: TestServer;
  let keys: dpop.KeyPair;
  let token: string;
  let htu: string;
  before(async () => {
    a = await startTestServer({ store: 'postgres' });
    b = await startTestServer({ shareStoreWith: a });
    await a.tokenFor(['admin'], 'admin');
    keys = await dpop.generateKeyPair('ES256');
    token = (await a.services.access.issueToken({ id: 'admin', roles: ['admin'] }, 300, { jkt: await dpop.calculateThumbprint(keys.publicKey) })).accessToken;
    // Both servers answer at one public address, as behind a load balancer.
    assert.equal(a.services.issuer, b.services.issuer);
    htu = `${a.services.issuer}/v1/identities`;
  });
  after(async () => { await b?.close(); await a?.close(); });

  const get = (t: TestServer, proof: string) =>
    t.app.inject({ method: 'GET', url: '/v1/identities', headers: { authorization: `DPoP ${token}`, dpop: proof } });

  test('a proof accepted by server A is refused when replayed to server B; a fresh proof is accepted by B', async () => {
    const proof = await dpop.generateProof(keys, htu, 'GET', undefined, token);
    const first = await get(a, proof);
    assert.equal(first.statusCode, 200, first.body);
    const recorded = await count(a);
    assert.ok(recorded >= 1);

    const replay = await get(b, proof);
    assert.equal(replay.statusCode, 401, replay.body);
    assert.equal(replay.json().code, 'ERR_UNAUTHENTICATED');
    assert.match(replay.json().detail, /jti was already used/);
    assert.match(String(replay.headers['www-authenticate']), /^DPoP .*error="invalid_dpop_proof"/);
    assert.equal(await count(b), recorded, 'the refused replay records nothing');

    const fresh = await get(b, await dpop.generateProof(keys, htu, 'GET', undefined, token));
    assert.equal(fresh.statusCode, 200, fresh.body);
    assert.equal(await count(a), recorded + 1);
  });

  test('a proof first used at server B is refused by server A too', async () => {
    const proof = await dpop.generateProof(keys, htu, 'GET', undefined, token);
    assert.equal((await get(b, proof)).statusCode, 200);
    assert.equal((await get(a, proof)).statusCode, 401);
  });
});

describe('DPoP on the embedded SQLite store', () => {
  let t: TestServer;
  before(async () => { t = await startTestServer(); });
  after(async () => { await t?.close(); });

  test('accepted and replayed proofs write no rows: memory is exact for the one server', async () => {
    await t.tokenFor(['admin'], 'admin');
    const keys = await dpop.generateKeyPair('ES256');
    const token = (await t.services.access.issueToken({ id: 'admin', roles: ['admin'] }, 300, { jkt: await dpop.calculateThumbprint(keys.publicKey) })).accessToken;
    const htu = `${t.services.issuer}/v1/identities`;
    const proof = await dpop.generateProof(keys, htu, 'GET', undefined, token);
    const get = () => t.app.inject({ method: 'GET', url: '/v1/identities', headers: { authorization: `DPoP ${token}`, dpop: proof } });
    assert.equal((await get()).statusCode, 200);
    assert.equal((await get()).statusCode, 401);
    assert.equal(t.services.dpop.shared, undefined);
    assert.equal(await count(t), 0);
  });
});
