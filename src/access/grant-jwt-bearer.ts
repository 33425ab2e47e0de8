import type { JwtSigner, VerifierKey } from '../ca/index.ts';
import type { Clock } from '../shared/clock.ts';
import { ROLES, type RequestContext, type Role } from '../shared/context.ts';
import { TesseraError, isTesseraError } from '../shared/errors.ts';
import type { UnitOfWork } from '../shared/tx.ts';
import { issueAccessToken } from './issue-access-token.ts';
import type { PrincipalRepo } from './principal-repo.ts';
import { verifyAssertion } from './verify-assertion.ts';

export interface GrantDeps {
  store: UnitOfWork & { principals: PrincipalRepo };
  clock: Clock;
  issuer: string;
  tokenEndpoint: string;
  /** The signer of the moment: the CA's active JWT key, which rotation replaces. */
  signer: () => JwtSigner;
  ttlSeconds: number;
  keyCache: Map<string, VerifierKey>;
  /** Last time used assertion ids were pruned (epoch ms); shared across calls. */
  pruneState: { last: number };
}

/** RFC 6749 §5.1 successful token response. */
export interface TokenResponse {
  access_token: string;
  token_type: 'Bearer';
  expires_in: number;
  scope: string;
}

const PRUNE_EVERY_MS = 60_000;
const ROLE_SET = new Set<string>(ROLES);

/** RFC 6749 §3.3: space-delimited; here a scope is a role the principal holds. */
function grantedRoles(held: readonly Role[], scope: string | undefined): Role[] {
  if (scope === undefined) return [...held];
  const asked = scope.split(' ').filter((s) => s !== '');
  const bad = asked.find((s) => !ROLE_SET.has(s) || !held.includes(s as Role));
  if (asked.length === 0 || bad !== undefined) {
    throw new TesseraError('ERR_INVALID_SCOPE',
      `scope must be a space-separated subset of this principal's roles (${held.join(' ')})${bad ? `; ${bad.slice(0, 64)} is not one of them` : ''}`,
      { field: 'scope', rule: 'subset of roles', reason: 'scope not held' });
  }
  return [...new Set(asked as Role[])];
}

/**
 * The RFC 7523 JWT bearer grant: a principal proves possession of its registered key with a
 * short signed assertion and receives an access token. The assertion id is consumed in the same
 * transaction as the token.issue audit event, so a replay can never yield a second token; every
 * refusal is audited as token.denied with its reason.
 */
export async function grantJwtBearer(deps: GrantDeps, input: { assertion?: string | undefined; scope?: string | undefined }, ctx: RequestContext): Promise<TokenResponse> {
  let claimed: string | undefined;
  try {
    if (input.assertion === undefined || input.assertion === '') {
      throw new TesseraError('ERR_INVALID_INPUT', 'assertion: is required for the jwt-bearer grant', { field: 'assertion', rule: 'is required', reason: 'no assertion' });
    }
    const { principal, jti, exp } = await verifyAssertion({ ...deps, principals: deps.store.principals }, input.assertion);
    claimed = principal.id;
    const roles = grantedRoles(principal.roles, input.scope);
    const issued = issueAccessToken({ signer: deps.signer(), issuer: deps.issuer, clock: deps.clock }, { id: principal.id, roles }, deps.ttlSeconds);
    const now = deps.clock.now();
    const prune = now - deps.pruneState.last >= PRUNE_EVERY_MS;
    if (prune) deps.pruneState.last = now;
    await deps.store.write(async (tx) => {
      // Namespaced by principal: jti values only have to be unique per issuer (RFC 7519 §4.1.7).
      if (!(await deps.store.principals.useAssertionId(tx, `${principal.id} ${jti}`, Math.ceil(exp * 1000)))) {
        throw new TesseraError('ERR_REPLAYED', 'assertion was already used: sign a new one with a fresh jti', { rule: 'single use', reason: 'jti replayed' });
      }
      if (prune) await deps.store.principals.pruneAssertionIds(tx, now);
      tx.audit({ ...ctx, actor: { id: principal.id, roles } }, {
        action: 'token.issue', outcome: 'success', target: principal.id,
        details: { grant: 'jwt-bearer', jti: issued.jti, roles, expiresAt: issued.exp * 1000 },
      });
    });
    return { access_token: issued.accessToken, token_type: 'Bearer', expires_in: issued.expiresIn, scope: roles.join(' ') };
  } catch (e) {
    if (isTesseraError(e) && e.code !== 'ERR_STORE_UNAVAILABLE' && e.code !== 'ERR_INTERNAL') {
      const reason = typeof e.details?.reason === 'string' ? e.details.reason : e.message;
      await deps.store.write(async (tx) => tx.audit(ctx, {
        action: 'token.denied', outcome: 'denied', target: claimed ?? claimedIssuer(input.assertion),
        details: { grant: 'jwt-bearer', code: e.code, reason },
      }));
    }
    throw e;
  }
}

/** The unverified iss of a rejected assertion, for the audit trail only (bounded in size). */
function claimedIssuer(assertion: string | undefined): string | undefined {
  try {
    const iss = (JSON.parse(Buffer.from(assertion!.split('.')[1]!, 'base64url').toString('utf8')) as { iss?: unknown }).iss;
    return typeof iss === 'string' ? iss.slice(0, 128) : undefined;
  } catch {
    return undefined;
  }
}
