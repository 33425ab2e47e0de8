import type { RequestContext } from '../../shared/context.ts';
import { uuidv7 } from '../../shared/ids.ts';
import { checkKnownFields, checkObject, checkOwner } from '../guardrails.ts';
import { auditRefusal, findIdentity, targetOf, type IdentityDeps } from '../operation.ts';
import type { Identity } from '../types.ts';
import { generateStaticKey } from './generate-static-key.ts';
import { hashStaticKey } from './hash-static-key.ts';
import type { StaticKeyRepo } from './static-key-repo.ts';
import { checkKeyAllowed, checkKeyExpiry } from './static-key-rules.ts';
import type { StaticKey } from './types.ts';

export interface StaticKeyDeps extends IdentityDeps {
  store: IdentityDeps['store'] & { staticKeys: StaticKeyRepo };
}

export interface CreateStaticKeyInput {
  /** a duration from now ("30d") or an ISO-8601 time; required */
  expires: string;
  /** defaults to the identity's owner */
  owner?: string | undefined;
}

export interface CreatedStaticKey {
  /** The key itself: returned this once, never stored. */
  key: string;
  record: StaticKey;
  identity: Identity;
}

const FIELDS = ['expires', 'owner'];

/**
 * Issues a static API key for an identity under the static-credential rules. Only the key's
 * hash is stored and audited details never contain the key: the caller sees it once.
 */
export async function createStaticKey(deps: StaticKeyDeps, ctx: RequestContext, identityRef: unknown, input: unknown): Promise<CreatedStaticKey> {
  let identity: Identity | undefined;
  return auditRefusal(deps, ctx, 'static-key.create', () => identity?.spiffeId ?? targetOf(identityRef), async () => {
    const body = checkObject(input, 'body');
    checkKnownFields(body, FIELDS);
    identity = await findIdentity(deps, identityRef, 'identity');
    const now = deps.clock.now();
    const owner = checkOwner(body.owner ?? identity.owner);
    const expiresAt = checkKeyExpiry(body.expires, now);
    checkKeyAllowed(identity, expiresAt, now);
    deps.guardrail?.('static-key.create', identity, ctx, { expiresAt });

    const key = generateStaticKey();
    const record: StaticKey = {
      id: uuidv7(now), identityId: identity.id, hash: hashStaticKey(key), last4: key.slice(-4), owner,
      createdAt: now, createdBy: ctx.actor.id, expiresAt, revokedAt: null,
    };
    const spiffeId = identity.spiffeId;
    await deps.store.write(async (tx) => {
      await deps.store.staticKeys.insert(tx, record);
      tx.audit(ctx, {
        action: 'static-key.create', outcome: 'success', target: spiffeId,
        details: { id: record.id, identityId: record.identityId, owner, last4: record.last4, expiresAt: new Date(expiresAt).toISOString() },
      });
    });
    return { key, record, identity };
  });
}
