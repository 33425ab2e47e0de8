import type { JsonWebKey } from 'node:crypto';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { loadKek, signerFor, startCa, type CaRuntime, type VerifierKey } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import type { Actor, RequestContext, Role } from '../shared/context.ts';
import type { Store } from '../store/index.ts';
import { bootstrapAdmin } from './bootstrap-admin.ts';
import { grantJwtBearer, type TokenResponse } from './grant-jwt-bearer.ts';
import { issueAccessToken, type AccessTokenCnf } from './issue-access-token.ts';
import { createAccessTokenVerifier, type SenderProof } from './verify-access-token.ts';

export type { Principal, PrincipalRepo } from './principal-repo.ts';
export { ADMIN_KEY_FILE, ADMIN_PRINCIPAL_ID, JWT_BEARER_GRANT, ACCESS_TOKEN_TYP, PRINCIPAL_ID_PATTERN } from './constants.ts';
export { createPrincipal, type CreatePrincipalInput, type PrincipalDeps } from './create-principal.ts';
export { disablePrincipal } from './disable-principal.ts';
export { readAdminKey } from './bootstrap-admin.ts';
export type { TokenResponse } from './grant-jwt-bearer.ts';
export type { AccessTokenCnf } from './issue-access-token.ts';
export type { SenderProof } from './verify-access-token.ts';

/** How the HTTP layer authenticates a request. */
export interface Access {
  /**
   * Verifies an `Authorization: Bearer <access token>` header, or `Authorization: DPoP <token>`
   * for a DPoP-bound token (the proof is checked through `sender`); a sender-constrained token
   * sent without its proof is refused. Throws ERR_UNAUTHENTICATED.
   */
  authenticate(authorization: string | undefined, sender?: SenderProof): Promise<Actor>;
}

/** Access as the running server has it: keys loaded, admin bootstrapped. */
export interface AccessRuntime extends Access {
  adminKeyPath: string;
  /** Signs an access token directly (no assertion, no audit): for the server itself and tests. */
  issueToken(p: { id: string; roles: Role[] }, ttlSeconds?: number, cnf?: AccessTokenCnf): Promise<{ accessToken: string; expiresIn: number }>;
  /** The JWT verification keys, for a JWKS endpoint. */
  publicJwks(): { keys: JsonWebKey[] };
  /** The CA whose JWT keys sign and verify access tokens (across rotations). */
  ca: CaRuntime;
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
  /**
   * The running CA (the composition root starts it). When absent, the KEK is loaded and a CA
   * is started here without a rotation timer: for tests of this capability alone.
   */
  ca?: CaRuntime | undefined;
}

/** Loads the key-encryption key and says where it came from (never its value). */
export function openKek(dataDir: string, env: NodeJS.ProcessEnv, logger?: Logger | undefined): Buffer {
  const kek = loadKek({ dataDir, env });
  // (Not logged under a "kek" key: the logger redacts that path, and this is only where it lives.)
  if (kek.created) logger?.warn({ kekFile: kek.source }, 'created the key-encryption key; keep a copy outside the data folder, or give it through TESSERA_KEK');
  else logger?.info({ kekSource: kek.source }, 'loaded the key-encryption key');
  return kek.key;
}

/** The JWKS form of the CA's published JWT keys. */
export function jwksOf(ca: Pick<CaRuntime, 'jwtKeys'>): { keys: JsonWebKey[] } {
  return { keys: ca.jwtKeys().map((k) => ({ ...k.publicJwk, kid: k.kid, alg: k.alg, use: 'sig' })) };
}

/**
 * Start-up of the access capability: bootstraps the admin principal and key file, and returns
 * what the HTTP layer needs. Access tokens are signed by the CA's JWT key of the moment and
 * verified against every key it publishes, so a rotation never breaks a session.
 */
export async function bootstrapAccess(deps: BootstrapAccessDeps): Promise<AccessRuntime> {
  const { config, store, clock, issuer, logger } = deps;
  const ca = deps.ca ?? await startCa({
    config, store, clock, logger, reloadIntervalMs: 0,
    kek: openKek(config.dataDir, deps.env ?? process.env, logger),
  });
  const admin = await bootstrapAdmin({ dataDir: config.dataDir, store, clock, logger });

  const signer = () => signerFor(ca.jwtSigner());
  const verifier = createAccessTokenVerifier({ issuer, clock, keys: () => ca.jwtKeys(), reload: () => ca.reload(), principals: store.principals });
  const tokenEndpoint = `${issuer}/oauth2/token`;
  const keyCache = new Map<string, VerifierKey>();
  const pruneState = { last: 0 };

  return {
    adminKeyPath: admin.adminKeyPath,
    tokenEndpoint,
    ca,
    authenticate: (authorization, sender) => verifier.authenticate(authorization, sender),
    async issueToken(p, ttlSeconds = config.adminTokenTtl, cnf) {
      const t = issueAccessToken({ signer: signer(), issuer, clock }, p, ttlSeconds, cnf);
      return { accessToken: t.accessToken, expiresIn: t.expiresIn };
    },
    publicJwks: () => jwksOf(ca),
    exchangeAssertion: (input, ctx) => grantJwtBearer({
      store, clock, issuer, tokenEndpoint, signer, ttlSeconds: config.adminTokenTtl, keyCache, pruneState,
    }, input, ctx),
  };
}
