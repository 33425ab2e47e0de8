import { parse } from 'yaml';
import { TesseraError } from '../../shared/errors.ts';
import type { ActiveException } from '../exceptions/index.ts';

const SCOPE_KEYS: ReadonlySet<string> = new Set(['identity', 'namespace', 'name', 'kind']);
// Fields an exception exported from the server also carries; accepted and ignored offline.
const KNOWN_KEYS: ReadonlySet<string> = new Set([
  'name', 'policy', 'scope', 'expiresAt', 'id', 'reason', 'owner', 'approver', 'createdAt', 'createdBy', 'revokedAt', 'revokedBy', 'status',
]);

const bad = (file: string, where: string, message: string, rule: string) =>
  new TesseraError('ERR_INVALID_INPUT', `${file}: ${where}: ${message}`, { field: `${file}:${where}`, rule });

/**
 * Reads an offline exceptions file: a YAML (or JSON) list of exceptions, or the server's list
 * (`GET /v1/exceptions?format=yaml`, or its JSON form). Each needs a name, a policy (rule id or
 * policy name) and an expiry (epoch ms or an ISO 8601 time) — there are no permanent exceptions.
 * An unknown scope key is refused rather than ignored: a misspelt `namspace` would otherwise
 * widen the exception to every namespace.
 */
export function parseExceptions(file: string, text: string): ActiveException[] {
  let doc: unknown;
  try { doc = parse(text, { prettyErrors: true, uniqueKeys: true }); } catch (e) {
    throw new TesseraError('ERR_INVALID_INPUT', `${file}: invalid YAML: ${(e as Error).message.split('\n')[0]}`, { field: file, rule: 'yaml' });
  }
  if (doc === null || doc === undefined) return [];
  // A bare list; {exceptions: [...]} (GET /v1/exceptions?format=yaml); {items: [...]} (its JSON form).
  const wrapped = typeof doc === 'object' && !Array.isArray(doc)
    ? ((doc as { exceptions?: unknown }).exceptions ?? (doc as { items?: unknown }).items) : undefined;
  const list = Array.isArray(doc) ? doc : Array.isArray(wrapped) ? wrapped : undefined;
  if (!list) throw bad(file, 'top level', 'must be a list of exceptions (or an object with an "exceptions" or "items" list)', 'shape');
  return list.map((raw, i) => toException(file, raw, i));
}

function toException(file: string, raw: unknown, i: number): ActiveException {
  const at = `[${i}]`;
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw bad(file, at, 'each exception must be a mapping', 'shape');
  const r = raw as Record<string, unknown>;
  for (const k of Object.keys(r)) if (!KNOWN_KEYS.has(k)) throw bad(file, `${at}.${k}`, 'unknown field', 'unknown field');
  for (const k of ['name', 'policy'] as const) {
    if (typeof r[k] !== 'string' || r[k] === '') throw bad(file, `${at}.${k}`, 'is required (a non-empty string)', 'required');
  }
  const scope: ActiveException['scope'] = {};
  {
    if (r.scope === undefined || r.scope === null) throw bad(file, `${at}.scope`, 'is required', 'required');
    if (typeof r.scope !== 'object' || Array.isArray(r.scope)) throw bad(file, `${at}.scope`, 'must be a mapping', 'shape');
    for (const [k, v] of Object.entries(r.scope as Record<string, unknown>)) {
      if (!SCOPE_KEYS.has(k)) throw bad(file, `${at}.scope.${k}`, `unknown scope key (one of ${[...SCOPE_KEYS].join(', ')})`, 'unknown field');
      if (typeof v !== 'string' || v === '') throw bad(file, `${at}.scope.${k}`, 'must be a non-empty string', 'string');
      scope[k as keyof ActiveException['scope']] = v;
    }
  }
  // A scope naming nothing matches nothing: refused, since its author surely meant something.
  if (Object.keys(scope).length === 0) throw bad(file, `${at}.scope`, `must name at least one of ${[...SCOPE_KEYS].join(', ')}`, 'required');
  const e: ActiveException = { name: r.name as string, policy: r.policy as string, scope, expiresAt: expiry(file, `${at}.expiresAt`, r.expiresAt) };
  if (r.revokedAt !== undefined && r.revokedAt !== null) e.revokedAt = expiry(file, `${at}.revokedAt`, r.revokedAt);
  return e;
}

function expiry(file: string, where: string, v: unknown): number {
  if (v === undefined || v === null) throw bad(file, where, 'is required: an exception without an expiry is never accepted', 'required');
  if (typeof v === 'number' && Number.isSafeInteger(v) && v > 0) return v;
  if (v instanceof Date && !Number.isNaN(v.getTime())) return v.getTime();
  // Only full ISO 8601 date-times with an offset: "2026-01-02" alone would depend on the runner's zone.
  if (typeof v === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$/.test(v)) {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return t;
  }
  throw bad(file, where, `"${String(v)}" must be epoch milliseconds or an ISO 8601 time with a zone (e.g. 2026-12-31T00:00:00Z)`, 'time');
}
