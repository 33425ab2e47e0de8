import type { JsonWebKey } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { createJwtSigner, ensureSigningKeys, loadKek, type VerifierKey } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Actor, RequestContext, Role } from '../shared/context.ts';
import type { Store } from '../store/index.ts';
import { bootstrapAdmin } from './bootstrap-admin.ts';
import { grantJwtBearer, type TokenResponse } from './grant-jwt-bearer.ts';
import { issueAccessToken } from './issue-access-token.ts';
import { createAccessTokenVerifier } from './verify-access-token.ts';

export type { Principal, PrincipalRepo } from './principal-repo.ts';
export { ADMIN_KEY_FILE, ADMIN_PRINCIPAL_ID, JWT_BEARER_GRANT, ACCESS_TOKEN_TYP, PRINCIPAL_ID_PATTERN } from './constants.ts';
export { createPrincipal, type CreatePrincipalInput, type PrincipalDeps } from './create-principal.ts';
export { disablePrincipal } from './disable-principal.ts';
export { readAdminKey } from './bootstrap-admin.ts';
export type { TokenResponse } from './grant-jwt-bearer.ts';

/** How the HTTP layer authenticates a request. */
export interface Access {
  /** Verifies an `Authorization: Bearer <access token>` header; throws ERR_UNAUTHENTICATED. */
  authenticate(authorization: string | undefined): Promise<Actor>;
}

/** Access as the running server has it: keys loaded, admin bootstrapped. */
export interface AccessRuntime extends Access {
  adminKeyPath: string;
  /** Signs an access token directly (no assertion, no audit): for the server itself and tests. */
  issueToken(p: { id: string; roles: Role[] }, ttlSeconds?: number): Promise<{ accessToken: string; expiresIn: number }>;
  /** The JWT verification keys, for a JWKS endpoint. */
  publicJwks(): { keys: JsonWebKey[] };
  /** `<issuer>/oauth2/token`. */
  tokenEndpoint: string;
  /** POST /oauth2/token with grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer (RFC 7523). */
  exchangeAssertion(input: { assertion?: string | undefined; scope?: string | undefined }, ctx: RequestContext): Promise<TokenResponse>;
}

export interface BootstrapAccessDeps {
  config: Config;
  store: Store;
  clock: Clock;
  issuer: string;
  logger?: Logger | undefined;
  /** Where TESSERA_KEK is read from; process.env unless given. */
  env?: NodeJS.ProcessEnv | undefined;
}

/**
 * Start-up of the access capability: loads the key-encryption key, makes sure the signing keys
 * exist (unwrapping them proves the KEK is right), bootstraps the admin principal and key file,
 * and returns what the HTTP layer needs.
 */
export async function bootstrapAccess(deps: BootstrapAccessDeps): Promise<AccessRuntime> {
  const { config, store, clock, issuer, logger } = deps;
  const kek = loadKek({ dataDir: config.dataDir, env: deps.env ?? process.env });
  // (Not logged under a "kek" key: the logger redacts that path, and this is only where it lives.)
  if (kek.created) logger?.warn({ kekFile: kek.source }, 'created the key-encryption key; keep a copy outside the data folder, or give it through TESSERA_KEK');
  else logger?.info({ kekSource: kek.source }, 'loaded the key-encryption key');
  const keys = await ensureSigningKeys({ store, kek: kek.key, clock, logger });
  const admin = await bootstrapAdmin({ dataDir: config.dataDir, store, clock, logger });

  const signer = createJwtSigner(keys.jwt);
  const verifier = createAccessTokenVerifier({ issuer, clock, keys: keys.jwtPublished, principals: store.principals });
  const tokenEndpoint = `${issuer}/oauth2/token`;
  const jwks = { keys: keys.jwtPublished.map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
  const keyCache = new Map<string, VerifierKey>();
  const pruneState = { last: 0 };

  return {
    adminKeyPath: admin.adminKeyPath,
    tokenEndpoint,
    authenticate: (authorization) => verifier.authenticate(authorization),
    async issueToken(p, ttlSeconds = config.adminTokenTtl) {
      const t = issueAccessToken({ signer, issuer, clock }, p, ttlSeconds);
      return { accessToken: t.accessToken, expiresIn: t.expiresIn };
    },
    publicJwks: () => ({ keys: jwks.keys.map((k) => ({ ...k })) }),
    exchangeAssertion: (input, ctx) => grantJwtBearer({
      store, clock, issuer, tokenEndpoint, signer, ttlSeconds: config.adminTokenTtl, keyCache, pruneState,
    }, input, ctx),
  };
}
