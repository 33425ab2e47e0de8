import { invalid } from '../../shared/errors.ts';
import { findIdentityRef, type JoinTokenDeps } from './create-join-token.ts';
import type { JoinToken } from './types.ts';

export const JOIN_TOKEN_LIST_DEFAULT = 100;
export const JOIN_TOKEN_LIST_MAX = 500;

export interface ListJoinTokensInput {
  identity?: string | undefined;
  limit?: number | undefined;
  cursor?: string | undefined;
}

// The cursor is opaque to callers: the last id, base64url.
const encodeCursor = (id: string) => Buffer.from(`jt:${id}`, 'utf8').toString('base64url');
function decodeCursor(value: string): string {
  const text = /^[A-Za-z0-9_-]{1,128}$/.test(value) ? Buffer.from(value, 'base64url').toString('utf8') : '';
  const id = text.startsWith('jt:') ? text.slice(3) : '';
  if (!/^[0-9a-f-]{36}$/.test(id)) throw invalid('cursor', 'is not a cursor returned by this server');
  return id;
}

/** Join tokens in creation order, optionally of one identity; the records carry no secret. */
export async function listJoinTokens(deps: Pick<JoinTokenDeps, 'store'>, input: ListJoinTokensInput): Promise<{ items: JoinToken[]; nextCursor?: string }> {
  const limit = input.limit ?? JOIN_TOKEN_LIST_DEFAULT;
  if (!Number.isInteger(limit) || limit < 1 || limit > JOIN_TOKEN_LIST_MAX) throw invalid('limit', `must be an integer from 1 to ${JOIN_TOKEN_LIST_MAX}`);
  const cursor = input.cursor === undefined ? undefined : decodeCursor(input.cursor);
  const identityId = input.identity === undefined ? undefined : (await findIdentityRef(deps, input.identity)).id;
  const rows = await deps.store.joinTokens.list({ identityId }, { limit: limit + 1, cursor });
  const items = rows.slice(0, limit);
  return rows.length > limit ? { items, nextCursor: encodeCursor(items[items.length - 1]!.id) } : { items };
}
