// Tessera's own API as a DPoP resource server (RFC 9449 §7): a DPoP-bound admin token works with
// a proof by its key, and never as a bearer token.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as dpop from 'dpop';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { listAudit } from '../../../src/audit/index.ts';

describe('Tessera API with DPoP-bound access tokens', () => {
  let t: TestServer;
  let keys: dpop.KeyPair;
  let token: string;
  let htu: string;
  before(async () => {
    t = await startTestServer();
    await t.tokenFor(['admin'], 'admin');
    keys = await dpop.generateKeyPair('ES256');
    token = (await t.services.access.issueToken({ id: 'admin', roles: ['admin'] }, 300, { jkt: await dpop.calculateThumbprint(keys.publicKey) })).accessToken;
    htu = `${t.services.issuer}/v1/identities`;
  });
  after(async () => { await t?.close(); });

  const get = (headers: Record<string, string>, url = '/v1/identities') => t.app.inject({ method: 'GET', url, headers });

  test('accepted with Authorization: DPoP and a proof by the bound key', async () => {
    const res = await get({ authorization: `DPoP ${token}`, dpop: await dpop.generateProof(keys, htu, 'GET', undefined, token) });
    assert.equal(res.statusCode, 200, res.body);
    // The query string is not part of htu.
    const q = await get({ authorization: `DPoP ${token}`, dpop: await dpop.generateProof(keys, htu, 'GET', undefined, token) }, '/v1/identities?limit=5');
    assert.equal(q.statusCode, 200, q.body);
  });

  test('refused as Bearer, with a Bearer challenge and an audit event', async () => {
    const res = await get({ authorization: `Bearer ${token}`, dpop: await dpop.generateProof(keys, htu, 'GET', undefined, token) });
    assert.equal(res.statusCode, 401);
    assert.equal(res.json().code, 'ERR_UNAUTHENTICATED');
    assert.match(res.json().detail, /DPoP-bound/);
    const events = (await listAudit(t.store.audit, { limit: 500, action: 'auth.failed' })).items;
    assert.ok(events.some((e) => e.outcome === 'denied' && /DPoP-bound/.test(String(JSON.parse(e.details).reason))));
  });

  test('refused without a proof, with a proof by another key, for another URI, without ath, or replayed', async () => {
    const cases: [string, Record<string, string>][] = [
      ['no proof', { authorization: `DPoP ${token}` }],
      ['other key', { authorization: `DPoP ${token}`, dpop: await dpop.generateProof(await dpop.generateKeyPair('ES256'), htu, 'GET', undefined, token) }],
      ['other htu', { authorization: `DPoP ${token}`, dpop: await dpop.generateProof(keys, `${t.services.issuer}/v1/audit`, 'GET', undefined, token) }],
      ['other htm', { authorization: `DPoP ${token}`, dpop: await dpop.generateProof(keys, htu, 'POST', undefined, token) }],
      ['no ath', { authorization: `DPoP ${token}`, dpop: await dpop.generateProof(keys, htu, 'GET') }],
    ];
    for (const [name, headers] of cases) {
      const res = await get(headers);
      assert.equal(res.statusCode, 401, name);
      assert.match(String(res.headers['www-authenticate']), /^DPoP /, name);
    }
    const proof = await dpop.generateProof(keys, htu, 'GET', undefined, token);
    assert.equal((await get({ authorization: `DPoP ${token}`, dpop: proof })).statusCode, 200);
    const replay = await get({ authorization: `DPoP ${token}`, dpop: proof });
    assert.equal(replay.statusCode, 401);
    assert.match(String(replay.headers['www-authenticate']), /error="invalid_dpop_proof"/);
  });

  test('an unbound token with the DPoP scheme is refused; as Bearer it still works', async () => {
    const plain = (await t.adminHeaders()).authorization.replace(/^Bearer /, '');
    const res = await get({ authorization: `DPoP ${plain}`, dpop: await dpop.generateProof(keys, htu, 'GET', undefined, plain) });
    assert.equal(res.statusCode, 401);
    assert.equal((await get({ authorization: `Bearer ${plain}` })).statusCode, 200);
  });
});
