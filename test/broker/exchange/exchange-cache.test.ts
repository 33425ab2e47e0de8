// The exchange keeps identities and trust sources in memory; every change made through the
// server must be seen by the very next exchange, with the same subject token (nothing about the
// request changes, only the registry behind it).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { TOKEN_TYPE_JWT } from '../../../src/broker/exchange/index.ts';
import { DEPLOY, GITHUB_BINDING, ORDERS, identity, useExchangeEnv } from './setup.ts';

describe('token exchange sees every registry change at once (real loopback)', () => {
  const env = useExchangeEnv('sqlite');
  const CONDITION = 'claims.repository == "acme/payments" && claims.ref == "refs/heads/main" && claims.environment == "prod"';

  /** One exchange of the given subject token; the status, the OAuth error and its description. */
  async function exchange(token: string): Promise<{ status: number; error?: unknown; why?: unknown }> {
    const r = await env.exchange({ subject_token: token, subject_token_type: TOKEN_TYPE_JWT, audience: ORDERS });
    return { status: r.status, error: r.body.error, why: r.body.error_description };
  }

  /** Re-registers DEPLOY and the binding as the set-up left them, whatever a test did. */
  async function restore(): Promise<void> {
    const found = await env.t.store.identities.getBySpiffeId(DEPLOY);
    if (!found) await identity(env, DEPLOY);
    else if (found.disabledAt !== null) await env.api('POST', `/v1/identities/${found.id}/enable`, undefined, 200);
    await env.api('PATCH', '/v1/trust-sources/github', { bindings: [{ name: GITHUB_BINDING, condition: CONDITION, spiffeId: DEPLOY }] }, 200);
  }

  test('disable, then enable: the same token is refused, then served again', async () => {
    const token = env.githubToken();
    assert.equal((await exchange(token)).status, 200);
    const id = (await env.t.store.identities.getBySpiffeId(DEPLOY))!.id;
    await env.api('POST', `/v1/identities/${id}/disable`, undefined, 200);
    const refused = await exchange(token);
    assert.deepEqual([refused.status, refused.error], [400, 'invalid_grant']);
    // The binding holds, but it leads to a disabled identity: the audit event says so.
    assert.match(String(refused.why), /no binding of trust source github matched/);
    const [event] = await env.exchanges('denied');
    assert.equal(event!.details.code, 'ERR_INVALID_GRANT');
    assert.match(JSON.stringify(event!.details.bindings), /identity spiffe:\/\/tessera.local\/ci\/acme\/payments\/deploy is disabled/);
    await env.api('POST', `/v1/identities/${id}/enable`, undefined, 200);
    assert.equal((await exchange(token)).status, 200);
  });

  test('a revocation of the identity stops the next exchange', async () => {
    const token = env.githubToken();
    assert.equal((await exchange(token)).status, 200);
    await env.api('POST', '/v1/revocations', { identity: DEPLOY, reason: 'runner compromised' }, 201);
    const refused = await exchange(token);
    assert.deepEqual([refused.status, refused.error], [400, 'invalid_grant']);
    const [event] = await env.exchanges('denied');
    assert.match(JSON.stringify(event!.details.bindings), /is disabled/);
    await restore();
  });

  test('an update is seen at once: bearer tokens forbidden → the next bearer exchange is refused', async () => {
    const token = env.githubToken();
    assert.equal((await exchange(token)).status, 200);
    const id = (await env.t.store.identities.getBySpiffeId(DEPLOY))!.id;
    await env.api('PATCH', `/v1/identities/${id}`, { bearerForbidden: true }, 200);
    const refused = await exchange(token);
    assert.deepEqual([refused.status, refused.error], [400, 'invalid_request']);
    await env.api('PATCH', `/v1/identities/${id}`, { bearerForbidden: false }, 200);
    assert.equal((await exchange(token)).status, 200);
  });

  test('delete, then register again: refused while it is gone, served once it is back', async () => {
    const token = env.githubToken();
    assert.equal((await exchange(token)).status, 200);
    const id = (await env.t.store.identities.getBySpiffeId(DEPLOY))!.id;
    const before = (await env.exchanges('success')).length;
    const res = await env.t.app.inject({ method: 'DELETE', url: `/v1/identities/${id}`, headers: env.admin });
    assert.equal(res.statusCode, 204, res.body);
    const refused = await exchange(token);
    assert.deepEqual([refused.status, refused.error], [400, 'invalid_grant']);
    assert.match(String(refused.why), /no binding/);
    assert.equal((await env.exchanges('success')).length, before, 'nothing was issued');
    await identity(env, DEPLOY);
    assert.equal((await exchange(token)).status, 200);
  });

  test('a trust source whose binding changes no longer maps the token; removing the source refuses its issuer', async () => {
    const token = env.githubToken();
    assert.equal((await exchange(token)).status, 200);
    await env.api('PATCH', '/v1/trust-sources/github', {
      bindings: [{ name: GITHUB_BINDING, condition: 'claims.ref == "refs/heads/release"', spiffeId: DEPLOY }],
    }, 200);
    const unmatched = await exchange(token);
    assert.deepEqual([unmatched.status, unmatched.error], [400, 'invalid_grant']);
    assert.match(String(unmatched.why), /no binding of trust source github matched/);
    await restore();
    assert.equal((await exchange(token)).status, 200);

    const res = await env.t.app.inject({ method: 'DELETE', url: '/v1/trust-sources/github', headers: env.admin });
    assert.equal(res.statusCode, 204, res.body);
    const unknown = await exchange(token);
    assert.deepEqual([unknown.status, unknown.error], [400, 'invalid_grant']);
    assert.match(String(unknown.why), /no trust source for issuer/);
  });
});
