import { TesseraError, invalid } from '../shared/errors.ts';
import type { IdentityRepo } from './identity-repo.ts';
import type { Identity } from './types.ts';

export const IDENTITY_REF_MAX = 2048;

/** The identity a credential is requested for, by id or SPIFFE ID (field `identity`). */
export async function findIdentityToIssue(repo: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>, ref: unknown): Promise<Identity> {
  if (ref === undefined || ref === null || ref === '') throw invalid('identity', 'is required: an identity id or a SPIFFE ID');
  if (typeof ref !== 'string') throw invalid('identity', 'must be an identity id or a SPIFFE ID');
  if (ref.length > IDENTITY_REF_MAX) throw invalid('identity', `must be at most ${IDENTITY_REF_MAX} characters`);
  const found = ref.startsWith('spiffe://') ? await repo.getBySpiffeId(ref) : await repo.get(ref);
  if (!found) throw new TesseraError('ERR_NOT_FOUND', `identity: no identity ${ref}`, { field: 'identity', rule: 'must exist' });
  return found;
}

/** Nothing is issued for a disabled identity. */
export function requireEnabled(identity: Identity): void {
  if (identity.disabledAt !== null) {
    throw new TesseraError('ERR_IDENTITY_DISABLED', `identity: ${identity.spiffeId} is disabled; nothing is issued for it`, { field: 'identity', rule: 'must be enabled' });
  }
}
