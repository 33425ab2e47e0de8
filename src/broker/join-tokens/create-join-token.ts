import type { Clock } from '../../shared/clock.ts';
import { checkFields } from '../../shared/check-fields.ts';
import type { RequestContext } from '../../shared/context.ts';
import { formatDuration, parseDuration } from '../../shared/duration.ts';
import { TesseraError, invalid } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { Identity, IdentityRepo } from '../../identity/index.ts';
import { generateJoinToken, hashJoinToken } from './format.ts';
import type { JoinTokenRepo } from './join-token-repo.ts';
import type { JoinToken } from './types.ts';

export interface JoinTokenDeps {
  store: { identities: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>; joinTokens: JoinTokenRepo; write: UnitOfWork['write'] };
  clock: Clock;
}

export interface CreatedJoinToken {
  /** The token itself: returned this once, never stored. */
  token: string;
  record: JoinToken;
  identity: Identity;
}

export const JOIN_TOKEN_TTL_DEFAULT = 600;
export const JOIN_TOKEN_TTL_MAX = 3600;
export const JOIN_TOKEN_ACTION = 'join-token.create';
const FIELDS = new Set(['identity', 'ttl']);
// Failures of the server itself are not refusals of the caller's request.
const NOT_REFUSALS = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);

export async function findIdentityRef(deps: Pick<JoinTokenDeps, 'store'>, ref: unknown, field = 'identity'): Promise<Identity> {
  if (typeof ref !== 'string' || ref.length === 0) throw invalid(field, 'is required: an identity id or a SPIFFE ID');
  if (ref.length > 2048) throw invalid(field, 'must be at most 2048 characters');
  const found = ref.startsWith('spiffe://') ? await deps.store.identities.getBySpiffeId(ref) : await deps.store.identities.get(ref);
  if (!found) throw new TesseraError('ERR_NOT_FOUND', `${field}: no identity ${ref.slice(0, 256)}`, { field, rule: 'must exist' });
  return found;
}

function checkTtl(value: unknown): number {
  if (value === undefined || value === null) return JOIN_TOKEN_TTL_DEFAULT;
  const ttl = parseDuration(value, 'ttl');
  if (ttl > JOIN_TOKEN_TTL_MAX) {
    throw new TesseraError('ERR_INVALID_DURATION', `ttl: ${formatDuration(ttl)} is too long: a join token lives at most ${formatDuration(JOIN_TOKEN_TTL_MAX)}`,
      { field: 'ttl', rule: `at most ${formatDuration(JOIN_TOKEN_TTL_MAX)}` });
  }
  return ttl;
}

/**
 * Creates a single-use join token for an enabled identity. Only its hash is stored, and neither
 * the audit event nor any listing ever contains the token: the caller sees it once.
 */
export async function createJoinToken(deps: JoinTokenDeps, ctx: RequestContext, input: unknown): Promise<CreatedJoinToken> {
  let target: string | undefined;
  try {
    const body = checkFields(input, FIELDS);
    if (typeof body.identity === 'string') target = body.identity.slice(0, 2048);
    const ttl = checkTtl(body.ttl);
    const identity = await findIdentityRef(deps, body.identity);
    target = identity.spiffeId;
    if (identity.disabledAt !== null) {
      throw new TesseraError('ERR_IDENTITY_DISABLED', `identity: ${identity.spiffeId} is disabled; no join token is issued for it`, { field: 'identity', rule: 'must be enabled' });
    }
    const now = deps.clock.now();
    const token = generateJoinToken();
    const record: JoinToken = {
      id: uuidv7(now), identityId: identity.id, hash: hashJoinToken(token), createdAt: now, createdBy: ctx.actor.id,
      expiresAt: now + ttl * 1000, usedAt: null,
    };
    await deps.store.write(async (tx) => {
      await deps.store.joinTokens.insert(tx, record);
      tx.audit(ctx, {
        action: JOIN_TOKEN_ACTION, outcome: 'success', target: identity.spiffeId,
        details: { id: record.id, identityId: identity.id, ttl, expiresAt: new Date(record.expiresAt).toISOString() },
      });
    });
    return { token, record, identity };
  } catch (e) {
    if (e instanceof TesseraError && !NOT_REFUSALS.has(e.code)) {
      const details: Record<string, unknown> = { code: e.code, message: e.message };
      if (typeof e.details?.field === 'string') details.field = e.details.field;
      if (typeof e.details?.rule === 'string') details.rule = e.details.rule;
      try {
        await deps.store.write(async (tx) => { tx.audit(ctx, { action: JOIN_TOKEN_ACTION, outcome: 'denied', target, details }); });
      } catch {
        // The caller still learns why; a store that cannot record the refusal recorded nothing else.
      }
    }
    throw e;
  }
}
