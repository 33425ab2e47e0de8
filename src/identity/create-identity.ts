import type { RequestContext } from '../shared/context.ts';
import { TesseraError, invalid, isTesseraError } from '../shared/errors.ts';
import { uuidv7 } from '../shared/ids.ts';
import type { Identity } from './types.ts';
import {
  checkDescription, checkEnvironment, checkKnownFields, checkLabels, checkObject, checkOwner,
  checkSpiffeId, checkStaticException, checkTier, checkTtl, checkTtlWithinTier, checkBearerForbidden,
} from './guardrails.ts';
import { auditRefusal, targetOf, type IdentityDeps } from './operation.ts';
import { identityAuditView } from './audit-view.ts';

/** What a caller sends to register an identity (untrusted: every field is checked). */
export interface CreateIdentityInput {
  spiffeId: string;
  owner: string;
  environment: string;
  tier: number;
  /** maximum credential lifetime: "15m" or seconds; `maxTtl` is accepted as another name */
  ttl?: string | number | undefined;
  maxTtl?: string | number | undefined;
  description?: string | undefined;
  labels?: Record<string, string> | undefined;
  staticException?: { reason: string; expiresAt: string | number } | null | undefined;
  /** Only sender-constrained (DPoP or mTLS-bound) tokens may be issued to it; default false. */
  bearerForbidden?: boolean | undefined;
}

const FIELDS = ['spiffeId', 'owner', 'environment', 'tier', 'ttl', 'maxTtl', 'description', 'labels', 'staticException', 'bearerForbidden'];

/** The refusal for a SPIFFE ID that is already registered. */
export function duplicateError(existing: Identity, environment: string, field = 'spiffeId'): TesseraError {
  if (existing.environment !== environment) {
    return new TesseraError('ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS',
      `${field}: ${existing.spiffeId} is already registered in environment "${existing.environment}"; one SPIFFE ID belongs to one environment`,
      { field, rule: 'one SPIFFE ID = one environment', environment: existing.environment });
  }
  return new TesseraError('ERR_CONFLICT', `${field}: ${existing.spiffeId} is already registered (id ${existing.id})`,
    { field, rule: 'must be unique', id: existing.id });
}

/** Registers a machine identity after every governance guardrail has passed. */
export async function createIdentity(deps: IdentityDeps, ctx: RequestContext, input: unknown): Promise<Identity> {
  const target = () => targetOf((input as { spiffeId?: unknown } | null)?.spiffeId);
  return auditRefusal(deps, ctx, 'identity.create', target, async () => {
    const body = checkObject(input, 'body');
    checkKnownFields(body, FIELDS);
    const spiffeId = checkSpiffeId(body.spiffeId, deps.trustDomain).id;
    const owner = checkOwner(body.owner);
    const environment = checkEnvironment(body.environment);
    const tier = checkTier(body.tier);
    if (body.ttl !== undefined && body.maxTtl !== undefined) throw invalid('maxTtl', 'give either ttl or maxTtl, not both');
    const ttlField = body.maxTtl !== undefined ? 'maxTtl' : 'ttl';
    const maxTtlSeconds = checkTtl(body[ttlField], ttlField);
    checkTtlWithinTier(tier, maxTtlSeconds, ttlField);
    const description = checkDescription(body.description);
    const labels = checkLabels(body.labels);
    const now = deps.clock.now();
    const staticException = checkStaticException(body.staticException, tier, now);
    const bearerForbidden = checkBearerForbidden(body.bearerForbidden);

    const identity: Identity = {
      id: uuidv7(now), spiffeId, owner, environment, tier, maxTtlSeconds, description, labels, staticException, bearerForbidden, version: 1,
      createdAt: now, createdBy: ctx.actor.id, updatedAt: now, updatedBy: ctx.actor.id, disabledAt: null, disabledBy: null,
    };
    deps.guardrail?.('identity.create', identity, ctx);
    try {
      await deps.store.write(async (tx) => {
        const existing = await deps.store.identities.getBySpiffeId(spiffeId);
        if (existing) throw duplicateError(existing, environment);
        await deps.store.identities.insert(tx, identity);
        tx.audit(ctx, { action: 'identity.create', outcome: 'success', target: spiffeId, details: identityAuditView(identity) });
      });
    } catch (e) {
      // A concurrent registration of the same ID can slip past the read above and trip the
      // unique index instead; look again so the caller gets the precise guardrail.
      if (isTesseraError(e, 'ERR_CONFLICT')) {
        const existing = await deps.store.identities.getBySpiffeId(spiffeId);
        if (existing) throw duplicateError(existing, environment);
      }
      throw e;
    }
    return identity;
  });
}
