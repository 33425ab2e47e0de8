import type { Identity } from '../../identity/index.ts';
import type { JoinTokenDeps } from './create-join-token.ts';
import { JOIN_TOKEN_PATTERN, hashJoinToken } from './format.ts';
import type { JoinToken } from './types.ts';

export type FoundJoinToken =
  | { ok: true; record: JoinToken; identity: Identity }
  | { ok: false; reason: string; record?: JoinToken | undefined; identity?: Identity | undefined };

/**
 * The join token a presented value names and its identity, or why it cannot be redeemed (with
 * whatever was found, for the audit trail). Read only: the caller consumes it
 * (JoinTokenRepo.consume) in the same transaction as what it grants, and that conditional write
 * is what decides a race between two redemptions.
 */
export async function findJoinToken(deps: Pick<JoinTokenDeps, 'store' | 'clock'>, token: string): Promise<FoundJoinToken> {
  if (!JOIN_TOKEN_PATTERN.test(token)) return { ok: false, reason: 'is not a join token (tjt_ followed by 32 base62 characters)' };
  const record = await deps.store.joinTokens.getByHash(hashJoinToken(token));
  if (!record) return { ok: false, reason: 'unknown join token' };
  const identity = await deps.store.identities.get(record.identityId);
  if (!identity) return { ok: false, reason: 'the identity of this join token no longer exists', record };
  if (record.usedAt !== null) return { ok: false, reason: 'join token was already used: join tokens are single-use', record, identity };
  if (record.expiresAt <= deps.clock.now()) return { ok: false, reason: 'join token has expired', record, identity };
  return { ok: true, record, identity };
}
