// End to end: an audience that needs elevation (config elevationAudiences) is refused until an
// approver other than the requester approves an elevation; the exchange then succeeds inside the
// window only, and an early revoke refuses at once. Real loopback, GitHub-shaped token, server
// on a clock the test moves.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { fixedClock } from '../../../src/shared/clock.ts';
import { TOKEN_EXCHANGE_GRANT, TOKEN_TYPE_JWT } from '../../../src/broker/exchange/index.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startOidcIssuer, type OidcIssuer } from '../../helpers/oidc-issuer.ts';

const DEPLOY = 'spiffe://tessera.local/ci/acme/payments/deploy';
const PROD_DB = 'prod-db';
const ORDERS = 'https://orders.internal';
const MINUTE = 60_000;

describe('an approved elevation lets a token exchange succeed only inside its window', () => {
  const clock = fixedClock(Date.now());
  let t: TestServer;
  let issuer: OidcIssuer;

  const as = async (roles: ('admin' | 'approver')[], id: string) => ({ authorization: `Bearer ${await t.tokenFor(roles, id)}` });
  async function api(method: 'POST' | 'GET', url: string, headers: Record<string, string>, body?: unknown) {
    const res = await t.app.inject({ method, url, headers, ...(body === undefined ? {} : { payload: body as object }) });
    return { status: res.statusCode, body: res.json() as Record<string, unknown> };
  }
  async function exchange(audience: string) {
    const form = new URLSearchParams({
      grant_type: TOKEN_EXCHANGE_GRANT, subject_token_type: TOKEN_TYPE_JWT, audience,
      // Issued "now" on the server's clock, so that only the elevation window varies.
      subject_token: issuer.githubToken({ owner: 'acme', repo: 'payments', environment: 'prod', aud: 'tessera', iat: Math.floor(clock.now() / 1000) }),
    });
    const res = await fetch(`${t.url}/oauth2/token`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form });
    return { status: res.status, body: await res.json() as Record<string, unknown> };
  }
  async function request(requester: string) {
    const r = await api('POST', '/v1/elevations', await as(['approver'], requester),
      { subject: DEPLOY, grant: { audience: PROD_DB }, duration: '1h', reason: 'INC-4711: repair the orders table' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body.id as string;
  }

  before(async () => {
    t = await startTestServer({ listen: true, clock, config: { elevationAudiences: [PROD_DB] } });
    issuer = await startOidcIssuer({ alg: 'RS256' });
    const admin = await t.adminHeaders();
    let r = await api('POST', '/v1/identities', admin, { spiffeId: DEPLOY, owner: 'team-payments', environment: 'prod', tier: 2, ttl: '15m' });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    r = await api('POST', '/v1/trust-sources', admin, {
      name: 'github', kind: 'github-actions', issuer: issuer.issuer, audiences: ['tessera'], environment: 'prod',
      bindings: [{ name: 'payments-main', condition: 'claims.repository == "acme/payments" && claims.ref == "refs/heads/main"', spiffeId: DEPLOY }],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
  });
  after(async () => { await issuer?.close(); await t?.close(); });

  test('refused before, granted inside the window, refused after it; self-approval refused; early revoke refuses at once', async () => {
    // Before: the other audience is fine, prod-db is not.
    assert.equal((await exchange(ORDERS)).status, 200);
    let x = await exchange(PROD_DB);
    assert.equal(x.status, 400);
    assert.equal(x.body.error, 'invalid_target');
    assert.match(String(x.body.error_description), /only granted inside an approved elevation/);

    const id = await request('oncall-bob');
    // Requested is not approved.
    assert.equal((await exchange(PROD_DB)).status, 400);

    // The requester cannot approve their own request.
    const self = await api('POST', `/v1/elevations/${id}/approve`, await as(['approver'], 'oncall-bob'), {});
    assert.equal(self.status, 403);
    assert.equal(self.body.code, 'ERR_SELF_APPROVAL');
    assert.equal((await exchange(PROD_DB)).status, 400);

    // An admin without the approver role cannot approve either.
    assert.equal((await api('POST', `/v1/elevations/${id}/approve`, await t.adminHeaders(), {})).status, 403);

    const ok = await api('POST', `/v1/elevations/${id}/approve`, await as(['approver'], 'lead-carol'), { reason: 'agreed on the bridge call' });
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.status, 'approved');
    assert.equal(Date.parse(ok.body.expiresAt as string) - Date.parse(ok.body.startsAt as string), 60 * MINUTE);

    x = await exchange(PROD_DB);
    assert.equal(x.status, 200, JSON.stringify(x.body));
    assert.equal(jose.decodeJwt(x.body.access_token as string).aud, PROD_DB);
    const [ev] = (await t.store.audit.list({ action: 'token.exchange', outcome: 'success', limit: 1, newestFirst: true }));
    assert.deepEqual(JSON.parse(ev!.details).audience, [PROD_DB]);

    // Still inside the window a minute before its end; refused at its end.
    clock.advance(59 * MINUTE);
    assert.equal((await exchange(PROD_DB)).status, 200);
    clock.advance(MINUTE);
    x = await exchange(PROD_DB);
    assert.equal(x.status, 400);
    assert.equal(x.body.error, 'invalid_target');
    const listed = await api('GET', `/v1/elevations?status=expired`, await t.adminHeaders());
    assert.ok((listed.body.items as { id: string }[]).some((e) => e.id === id));

    // A fresh elevation, revoked early by its requester: refused at the very next exchange.
    const id2 = await request('oncall-bob');
    assert.equal((await api('POST', `/v1/elevations/${id2}/approve`, await as(['approver'], 'lead-carol'), {})).status, 200);
    assert.equal((await exchange(PROD_DB)).status, 200);
    const rv = await api('POST', `/v1/elevations/${id2}/revoke`, await as(['approver'], 'oncall-bob'));
    assert.equal(rv.status, 200, JSON.stringify(rv.body));
    assert.equal(rv.body.status, 'revoked');
    assert.equal((await exchange(PROD_DB)).status, 400);

    // Every step audited.
    for (const action of ['elevation.request', 'elevation.approve', 'elevation.revoke']) {
      const events = await t.store.audit.list({ action, outcome: 'success', limit: 10, newestFirst: true });
      assert.ok(events.length > 0, action);
      assert.equal(events[0]!.target, DEPLOY);
    }
    const denied = await t.store.audit.list({ action: 'elevation.approve', outcome: 'denied', limit: 10, newestFirst: true });
    assert.equal(JSON.parse(denied[0]!.details).code, 'ERR_SELF_APPROVAL');
  });

  test('an exception to the elevation policy lets the identity through until it expires, then not a moment longer', async () => {
    const admin = await t.adminHeaders();
    await t.tokenFor(['approver'], 'sec-erin');
    assert.equal((await exchange(PROD_DB)).status, 400);
    const r = await api('POST', '/v1/exceptions', admin, {
      name: 'deploy-prod-db', policy: 'deny-audience-without-elevation', scope: { identity: 'spiffe://tessera.local/ci/*/payments/deploy' },
      reason: 'migration week', owner: 'team-payments', approver: 'sec-erin', expiresIn: '2h',
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    const x = await exchange(PROD_DB);
    assert.equal(x.status, 200, JSON.stringify(x.body));
    const [ev] = await t.store.audit.list({ action: 'token.exchange', outcome: 'success', limit: 1, newestFirst: true });
    assert.match(ev!.details, /deploy-prod-db/, 'the decision says which exception let it through');
    clock.advance(2 * 60 * MINUTE - 1);
    assert.equal((await exchange(PROD_DB)).status, 200);
    // No reload happens in between: expiry is checked against the decision's clock.
    clock.advance(1);
    assert.equal((await exchange(PROD_DB)).status, 400);
  });
});
