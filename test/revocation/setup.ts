// Shared set-up for the revocation operation tests: a real store, a movable clock, real P-256
// signing keys published the way CaRuntime.jwtKeys publishes them, and a deny list.
import { after, before, beforeEach } from 'node:test';
import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { createJwtSigner, jwkThumbprint } from '../../src/ca/index.ts';
import type { PublishedJwtKey } from '../../src/ca/ca-runtime.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import type { Store } from '../../src/store/index.ts';
import { createDenyList, type RevocationDeps } from '../../src/revocation/index.ts';
import { createIdentity, type Identity } from '../../src/identity/index.ts';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';

export const T0 = Date.parse('2030-01-01T00:00:00Z');
export const ISSUER = 'https://tessera.test';
export const ctx: RequestContext = { actor: { id: 'alice', roles: ['admin'] }, requestId: 'req-1', sourceIp: '127.0.0.1' };

/** A real signing key and the published form relying parties see. */
export function signingKey(): { published: PublishedJwtKey; sign(claims: Record<string, unknown>, typ: string): string } {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const j = publicKey.export({ format: 'jwk' });
  const publicJwk = { kty: 'EC', crv: 'P-256', x: j.x!, y: j.y! };
  const kid = jwkThumbprint(publicJwk);
  const signer = createJwtSigner({ kid, privateKey });
  return { published: { kid, alg: 'ES256', status: 'active', publicKey, publicJwk }, sign: (c, typ) => signer.sign(c, typ) };
}

export interface Env {
  store: Store;
  clock: ReturnType<typeof fixedClock>;
  deps: RevocationDeps;
  key: ReturnType<typeof signingKey>;
  /** A JWT-SVID from our key: claims may be overridden. */
  svid(over?: Record<string, unknown>): string;
  identity(spiffeId?: string, over?: Record<string, unknown>): Promise<Identity>;
}

export function useRevocationEnv(kind: StoreKind): Env {
  const env = {} as Env;
  let cleanup: () => Promise<void>;
  before(async () => {
    env.clock = fixedClock(T0);
    const opened = await openTestStore(kind, { clock: env.clock });
    env.store = opened.store;
    cleanup = opened.cleanup;
    env.key = signingKey();
    env.svid = (over = {}) => {
      const iat = Math.floor(env.clock.now() / 1000);
      return env.key.sign({ iss: ISSUER, sub: 'spiffe://tessera.local/ns/prod/sa/api', aud: ['orders'], iat, exp: iat + 300, jti: randomUUID(), ...over }, 'JWT');
    };
    env.identity = (spiffeId = 'spiffe://tessera.local/ns/prod/sa/api', over = {}) => createIdentity({ store: env.store, clock: env.clock, trustDomain: 'tessera.local' }, ctx,
      { spiffeId, owner: 'team-api', environment: 'prod', tier: 2, ttl: '1h', ...over });
  });
  after(async () => { await cleanup(); });
  beforeEach(async () => {
    env.clock = fixedClock(T0);
    await env.store.db.run('DELETE FROM revocations');
    await env.store.db.run('DELETE FROM static_keys');
    await env.store.db.run('DELETE FROM identity_labels');
    await env.store.db.run('DELETE FROM identities');
    env.deps = {
      store: env.store, clock: env.clock, issuer: ISSUER, jwtKeys: () => [env.key.published],
      denyList: createDenyList({ repo: env.store.revocations, clock: env.clock }), maxTokenTtlSeconds: 3600,
    };
  });
  return env;
}

/** Rows that a refused operation must leave alone. */
export async function snapshot(store: Store): Promise<string> {
  const rows = await Promise.all(['revocations', 'static_keys', 'identities'].map((t) => store.db.all(`SELECT * FROM ${t} ORDER BY 1`)));
  return JSON.stringify(rows);
}
