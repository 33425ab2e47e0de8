// Shared set-up for the token-exchange tests: a real server on loopback, a real OIDC issuer
// signing GitHub-shaped tokens, a GitHub trust source with one binding, and registered identities.
import { after, before } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { startOidcIssuer, type OidcIssuer } from '../../helpers/oidc-issuer.ts';
import type { StoreKind } from '../../helpers/test-store.ts';
import { TOKEN_EXCHANGE_GRANT } from '../../../src/broker/exchange/index.ts';

export const DEPLOY = 'spiffe://tessera.local/ci/acme/payments/deploy';
export const NODE = 'spiffe://tessera.local/node/worker-1';
export const ORDERS = 'https://orders.internal';
export const GITHUB_BINDING = 'payments-main';

export interface ExchangeEnv {
  t: TestServer;
  issuer: OidcIssuer;
  admin: { authorization: string };
  /** POST /v1/… as admin; asserts the status. */
  api(method: 'POST' | 'PATCH' | 'GET', path: string, body: unknown, status: number): Promise<Record<string, unknown>>;
  /** The form POST a client makes (inject: in-process, same code path). */
  exchange(params: Record<string, string | string[]>, headers?: Record<string, string>): Promise<{ status: number; body: Record<string, unknown>; headers: Record<string, unknown> }>;
  githubToken(opts?: Parameters<OidcIssuer['githubToken']>[0]): string;
  joinToken(identity: string, ttl?: string): Promise<string>;
  /** The newest token.exchange audit events. */
  exchanges(outcome?: 'success' | 'denied'): Promise<{ outcome: string; target?: string | undefined; actor: string; details: Record<string, unknown> }[]>;
}

export async function identity(env: ExchangeEnv, spiffeId: string, extra: Record<string, unknown> = {}): Promise<string> {
  const created = await env.api('POST', '/v1/identities', { spiffeId, owner: 'team-payments', environment: 'prod', tier: 2, ttl: '15m', ...extra }, 201);
  return created.id as string;
}

export function useExchangeEnv(kind: StoreKind = 'sqlite'): ExchangeEnv {
  const env = {} as ExchangeEnv;
  before(async () => {
    env.t = await startTestServer({ store: kind, listen: true });
    // RS256, like GitHub's own issuer (the github-actions preset pins it).
    env.issuer = await startOidcIssuer({ alg: 'RS256' });
    env.admin = await env.t.adminHeaders();
    env.api = async (method, path, body, status) => {
      const res = await env.t.app.inject({ method, url: path, headers: env.admin, ...(body === undefined ? {} : { payload: body as object }) });
      assert.equal(res.statusCode, status, res.body);
      return res.json();
    };
    env.exchange = async (params, headers = {}) => {
      const form = new URLSearchParams();
      form.set('grant_type', TOKEN_EXCHANGE_GRANT);
      for (const [k, v] of Object.entries(params)) for (const x of [v].flat()) form.append(k, x);
      const res = await fetch(`${env.t.url}/oauth2/token`, {
        method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers }, body: form,
      });
      return { status: res.status, body: await res.json() as Record<string, unknown>, headers: Object.fromEntries(res.headers) };
    };
    env.githubToken = (opts = {}) => env.issuer.githubToken({ owner: 'acme', repo: 'payments', environment: 'prod', aud: 'tessera', ...opts });
    env.joinToken = async (who, ttl) => (await env.api('POST', '/v1/join-tokens', { identity: who, ...(ttl ? { ttl } : {}) }, 201)).token as string;
    env.exchanges = async (outcome) => {
      const events = await env.t.store.audit.list({ action: 'token.exchange', ...(outcome ? { outcome } : {}), limit: 1000, newestFirst: true });
      return events.map((e) => ({ outcome: e.outcome, target: e.target ?? undefined, actor: e.actor, details: JSON.parse(e.details) as Record<string, unknown> }));
    };
    await identity(env, DEPLOY);
    await identity(env, NODE);
    await env.api('POST', '/v1/trust-sources', {
      name: 'github', kind: 'github-actions', issuer: env.issuer.issuer, audiences: ['tessera'], environment: 'prod',
      bindings: [{
        name: GITHUB_BINDING,
        condition: 'claims.repository == "acme/payments" && claims.ref == "refs/heads/main" && claims.environment == "prod"',
        spiffeId: DEPLOY,
      }],
    }, 201);
  });
  after(async () => { await env.issuer?.close(); await env.t?.close(); });
  return env;
}
