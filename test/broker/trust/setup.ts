// Shared set-up for the trust tests: a real store, a real loopback OIDC issuer, a clock that can
// be moved forward (tokens are minted on the wall clock), and registered identities to bind to.
import { after, before } from 'node:test';
import { openTestStore, type StoreKind } from '../../helpers/test-store.ts';
import { startOidcIssuer, type OidcIssuer, type OidcIssuerOptions } from '../../helpers/oidc-issuer.ts';
import type { RequestContext } from '../../../src/shared/context.ts';
import type { Clock } from '../../../src/shared/clock.ts';
import type { Store } from '../../../src/store/index.ts';
import { createIdentity } from '../../../src/identity/index.ts';
import { createTrustRuntime, createTrustSource, type JwksOptions, type TrustRuntime, type TrustSource } from '../../../src/broker/trust/index.ts';

export const TRUST_DOMAIN = 'tessera.local';
export const ctx: RequestContext = { actor: { id: 'alice', roles: ['admin'] }, requestId: 'req-1', sourceIp: '127.0.0.1' };

/** The wall clock plus an offset tests can move. */
export function movableClock(): Clock & { advance(ms: number): void } {
  let offset = 0;
  return { now: () => Date.now() + offset, advance: (ms) => { offset += ms; } };
}

export interface TrustEnv {
  store: Store;
  issuer: OidcIssuer;
  clock: ReturnType<typeof movableClock>;
  trust: TrustRuntime;
  /** A fresh runtime over the same store (cold caches), with its own JWKS options. */
  runtime(jwks?: Partial<JwksOptions>): TrustRuntime;
  register(spiffeId: string, environment?: string): Promise<void>;
  addSource(input: Record<string, unknown>): Promise<TrustSource>;
}

export function useTrustEnv(kind: StoreKind, issuerOpts: OidcIssuerOptions = {}, jwks: Partial<JwksOptions> = {}): TrustEnv {
  const env = {} as TrustEnv;
  let cleanup: () => Promise<void>;
  before(async () => {
    env.clock = movableClock();
    const opened = await openTestStore(kind, { clock: env.clock });
    env.store = opened.store;
    cleanup = opened.cleanup;
    env.issuer = await startOidcIssuer(issuerOpts);
    env.runtime = (j = jwks) => createTrustRuntime({ store: env.store, clock: env.clock, trustDomain: TRUST_DOMAIN, jwks: j });
    env.trust = env.runtime();
    env.register = async (spiffeId, environment = 'prod') => {
      await createIdentity({ store: env.store, clock: env.clock, trustDomain: TRUST_DOMAIN }, ctx,
        { spiffeId, owner: 'team-ci', environment, tier: 2, ttl: '1h' });
    };
    env.addSource = (input) => createTrustSource(env.trust, ctx, input);
  });
  after(async () => { await env.issuer.close(); await cleanup(); });
  return env;
}
