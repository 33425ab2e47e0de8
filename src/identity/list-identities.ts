import type { RequestContext } from '../shared/context.ts';
import { invalid } from '../shared/errors.ts';
import type { Identity, IdentityFilter, Page } from './types.ts';
import {
  LABEL_KEY_PATTERN, LABEL_VALUE_MAX, LABELS_MAX, OWNER_MAX,
  checkEnvironment, checkKnownFields, checkLabels, checkObject, checkTier,
} from './guardrails.ts';
import type { IdentityDeps } from './operation.ts';

export interface ListIdentitiesInput {
  owner?: string | undefined;
  environment?: string | undefined;
  tier?: number | undefined;
  /** every label must match: an object, or "k=v" strings (one or many) */
  labels?: Record<string, string> | string | string[] | undefined;
  /** the same as labels, under the name a repeated query parameter has (?label=k=v&label=…) */
  label?: string | string[] | undefined;
  includeDisabled?: boolean | undefined;
  /** 1..500, default 100 */
  limit?: number | undefined;
  /** nextCursor of the previous page */
  cursor?: string | undefined;
}

export const LIST_LIMIT_DEFAULT = 100;
export const LIST_LIMIT_MAX = 500;
const FIELDS = ['owner', 'environment', 'tier', 'labels', 'label', 'includeDisabled', 'limit', 'cursor'];
const CURSOR_PREFIX = 'id:';

// The cursor is opaque to callers so that the paging key can change without breaking them.
export function encodeCursor(lastId: string): string {
  return Buffer.from(CURSOR_PREFIX + lastId, 'utf8').toString('base64url');
}

export function decodeCursor(value: unknown, field = 'cursor'): string {
  const bad = () => invalid(field, 'is not a cursor returned by this server');
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{1,128}$/.test(value)) throw bad();
  const text = Buffer.from(value, 'base64url').toString('utf8');
  if (!text.startsWith(CURSOR_PREFIX)) throw bad();
  const id = text.slice(CURSOR_PREFIX.length);
  if (!/^[A-Za-z0-9-]{1,64}$/.test(id)) throw bad();
  return id;
}

/** Label filters given as "k=v" text, e.g. from a query string or `--label` flags. */
export function parseLabelSelectors(value: unknown, field = 'labels'): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value === 'object' && !Array.isArray(value)) return checkLabels(value, field);
  const items = Array.isArray(value) ? value : [value];
  if (items.length > LABELS_MAX) throw invalid(field, `must have at most ${LABELS_MAX} label filters`);
  const out = new Map<string, string>();
  for (const item of items) {
    if (typeof item !== 'string') throw invalid(field, 'must be "key=value" text');
    const i = item.indexOf('=');
    if (i <= 0) throw invalid(field, `"${item.slice(0, 80)}" must be key=value`);
    const k = item.slice(0, i);
    const v = item.slice(i + 1);
    if (!LABEL_KEY_PATTERN.test(k)) throw invalid(field, `"${k.slice(0, 80)}": label keys must be 1 to 63 characters of letters, digits, ".", "_", "/" and "-"`);
    if (v.length > LABEL_VALUE_MAX) throw invalid(field, `value of "${k}" must be at most ${LABEL_VALUE_MAX} characters`);
    if (out.has(k) && out.get(k) !== v) throw invalid(field, `"${k}" is given twice with different values`);
    out.set(k, v);
  }
  return Object.fromEntries(out);
}

/** Lists identities matching every filter given, in creation order, one page at a time. */
export async function listIdentities(deps: Pick<IdentityDeps, 'store'>, _ctx: RequestContext, input: unknown = {}): Promise<Page<Identity>> {
  const q = checkObject(input ?? {}, 'query');
  checkKnownFields(q, FIELDS);
  const filter: IdentityFilter = {};
  if (q.owner !== undefined) {
    if (typeof q.owner !== 'string' || q.owner.length === 0 || q.owner.length > OWNER_MAX) throw invalid('owner', `must be 1 to ${OWNER_MAX} characters`);
    filter.owner = q.owner.trim();
  }
  if (q.environment !== undefined) filter.environment = checkEnvironment(q.environment);
  if (q.tier !== undefined) filter.tier = checkTier(q.tier);
  if (q.labels !== undefined && q.label !== undefined) throw invalid('label', 'give either label or labels, not both');
  const labels = q.label !== undefined ? parseLabelSelectors(q.label, 'label') : parseLabelSelectors(q.labels);
  if (Object.keys(labels).length > 0) filter.labels = labels;
  if (q.includeDisabled !== undefined) {
    if (typeof q.includeDisabled !== 'boolean') throw invalid('includeDisabled', 'must be true or false');
    filter.includeDisabled = q.includeDisabled;
  }
  let limit = LIST_LIMIT_DEFAULT;
  if (q.limit !== undefined) {
    if (typeof q.limit !== 'number' || !Number.isInteger(q.limit) || q.limit < 1 || q.limit > LIST_LIMIT_MAX) {
      throw invalid('limit', `must be an integer from 1 to ${LIST_LIMIT_MAX}`);
    }
    limit = q.limit;
  }
  const cursor = q.cursor === undefined ? undefined : decodeCursor(q.cursor);
  const page = await deps.store.identities.list(filter, { limit, cursor });
  return { items: page.items, ...(page.nextCursor !== undefined ? { nextCursor: encodeCursor(page.nextCursor) } : {}) };
}
