// THE route enumeration test: every route the server registers is either on the public list
// below, or refuses callers without a valid token of one of the roles it declares.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { b64u, type JwtSigningKey } from '../../src/ca/index.ts';
import { ROLES, type Role } from '../../src/shared/context.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';

/**
 * Routes that may be called without a token, as "METHOD path". Adding a route here is a
 * security decision: only discovery, keys, the token endpoint, health, metrics and the
 * dashboard's static assets belong on it. Entries for routes that do not exist yet are
 * allowed; a public route missing from this list fails the test.
 */
const ALLOWED_PUBLIC = new Set([
  'POST /oauth2/token',
  'GET /healthz',
  'GET /readyz',
  'GET /metrics',
  // Discovery and key publication (RFC 8414, OIDC discovery, JWKS, SPIFFE bundle).
  'GET /.well-known/openid-configuration',
  'GET /.well-known/oauth-authorization-server',
  'GET /jwks',
  'GET /.well-known/spiffe-bundle',
  // The dashboard's static assets (the dashboard itself calls the API with tokens).
  'GET /',
  'GET /assets/*',
]);

/** These must exist now: if one disappears, the list above needs a look too. */
const REQUIRED_PUBLIC = ['POST /oauth2/token', 'GET /healthz', 'GET /readyz', 'GET /metrics'];

describe('route authorisation', () => {
  let t: TestServer;
  let serverKey: JwtSigningKey;
  before(async () => {
    t = await startTestServer();
    // The server's own signing key (for a well-signed but expired token).
    serverKey = t.services.ca.jwtSigner();
  });
  after(async () => { await t.close(); });

  function token(key: KeyObject, claims: Record<string, unknown>): string {
    const input = `${b64u(JSON.stringify({ alg: 'ES256', typ: 'at+jwt', kid: serverKey.kid }))}.${b64u(JSON.stringify(claims))}`;
    return `${input}.${b64u(sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }))}`;
  }
  const claims = (over: Record<string, unknown>) => {
    const now = Math.floor(Date.now() / 1000);
    return { iss: t.services.issuer, sub: 'admin', aud: t.services.issuer, client_id: 'admin', iat: now, exp: now + 300, jti: randomUUID(), roles: ['admin'], ...over };
  };

  const key = (r: { method: string; url: string }) => `${r.method} ${r.url}`;
  // Under /oauth2/* errors are OAuth-style ({error, error_description}, RFC 6749 §5.2).
  const OAUTH_CODES: Record<string, string> = { invalid_client: 'ERR_UNAUTHENTICATED', unauthorized_client: 'ERR_FORBIDDEN' };
  const codeOf = (url: string, body: { code?: string; error?: string }) =>
    (url.startsWith('/oauth2/') ? OAUTH_CODES[body.error ?? ''] : body.code);

  test('the public routes are exactly those on the allowed list', () => {
    assert.ok(t.routes.length > REQUIRED_PUBLIC.length);
    const pub = t.routes.filter((r) => r.auth === 'public').map(key);
    assert.deepEqual(pub.filter((r) => !ALLOWED_PUBLIC.has(r)), [], 'public routes not on the allowed list');
    for (const r of REQUIRED_PUBLIC) assert.ok(pub.includes(r), `${r} is public`);
    for (const r of t.routes.filter((x) => x.url.startsWith('/v1/'))) assert.notEqual(r.auth, 'public', `${key(r)} is under /v1 and must need a role`);
    for (const r of t.routes.filter((x) => x.auth !== 'public')) {
      assert.ok(Array.isArray(r.auth) && r.auth.length > 0 && r.auth.every((role) => ROLES.includes(role)), `${key(r)} declares known roles`);
    }
  });

  test('every protected route: 401 without a valid token, 403 with only other roles, admitted with an allowed role', async () => {
    const protectedRoutes = t.routes.filter((r) => r.auth !== 'public');
    assert.ok(protectedRoutes.length > 0);
    const expired = token(serverKey.privateKey, claims({ iat: Math.floor(Date.now() / 1000) - 900, exp: Math.floor(Date.now() / 1000) - 300 }));
    const forged = token(generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey, claims({}));
    // Sanity: the same claims signed by the server key are accepted, so the failures below are
    // caused by what each case changes, not by the helper.
    assert.equal((await t.services.access.authenticate(`Bearer ${token(serverKey.privateKey, claims({}))}`)).id, 'admin');

    let expectedFailures = 0;
    let expectedForbidden = 0;
    const count = async (action: string) => (await t.store.audit.list({ action, limit: 100_000 })).length;
    const failedBefore = await count('auth.failed');
    const forbiddenBefore = await count('auth.forbidden');

    for (const r of protectedRoutes) {
      const allowed = r.auth as readonly Role[];
      // A plausible value that names nothing: state-changing routes then answer 404 or 400.
      const url = r.url.replace(/:[A-Za-z_]+/g, randomUUID());
      const hasBody = r.method !== 'GET' && r.method !== 'DELETE';
      const call = (authorization?: string) => t.app.inject({
        method: r.method as 'GET', url,
        headers: { ...(authorization ? { authorization } : {}), ...(hasBody ? { 'content-type': 'application/json' } : {}) },
        ...(hasBody ? { payload: '{}' } : {}),
      });
      const label = `${r.method} ${r.url}`;

      for (const [what, auth] of [['no token', undefined], ['malformed token', 'Bearer not.a.token'], ['expired token', `Bearer ${expired}`],
        ['token signed by another key', `Bearer ${forged}`]] as const) {
        const res = await call(auth);
        assert.equal(res.statusCode, 401, `${label} with ${what}: ${res.body}`);
        assert.equal(codeOf(r.url, res.json()), 'ERR_UNAUTHENTICATED');
        assert.match(String(res.headers['www-authenticate']), /^Bearer/);
        expectedFailures++;
      }

      const others = ROLES.filter((role) => !allowed.includes(role));
      if (others.length > 0) {
        const res = await call(`Bearer ${await t.tokenFor([...others])}`);
        assert.equal(res.statusCode, 403, `${label} with roles ${others.join(',')}: ${res.body}`);
        assert.equal(codeOf(r.url, res.json()), 'ERR_FORBIDDEN');
        expectedForbidden++;
      }

      for (const role of allowed) {
        const res = await call(`Bearer ${await t.tokenFor([role])}`);
        assert.ok(res.statusCode !== 401 && res.statusCode !== 403, `${label} with role ${role}: ${res.statusCode} ${res.body}`);
      }
    }

    // Every refusal left an audit event naming the route.
    assert.equal(await count('auth.failed') - failedBefore, expectedFailures);
    assert.equal(await count('auth.forbidden') - forbiddenBefore, expectedForbidden);
    const last = (await t.store.audit.list({ action: 'auth.failed', limit: 1, newestFirst: true }))[0]!;
    assert.equal(last.outcome, 'denied');
    assert.ok(protectedRoutes.some((r) => JSON.parse(last.details).route === r.url));
  });
});
