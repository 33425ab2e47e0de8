// SPIFFE IDs validated exactly per the SPIFFE-ID standard (spiffe/spiffe standards/SPIFFE-ID.md):
// an ASCII URI `spiffe://<trust domain><path>` of at most 2048 bytes. Every rule has its own
// message so that a refused ID tells the caller which part is wrong.
import { TesseraError } from './errors.ts';

export interface SpiffeId {
  /** the whole ID, e.g. spiffe://example.org/ns/prod/sa/api */
  readonly id: string;
  /** e.g. example.org */
  readonly trustDomain: string;
  /** "" or a path starting with "/", e.g. /ns/prod/sa/api */
  readonly path: string;
  toString(): string;
}

export const SPIFFE_ID_MAX_BYTES = 2048;
export const TRUST_DOMAIN_MAX_BYTES = 255;

/** The rule texts, exported so callers and tests can match on them. */
export const SPIFFE_ID_RULES = {
  notString: 'must be a string',
  empty: 'must not be empty',
  tooLong: `must be at most ${SPIFFE_ID_MAX_BYTES} bytes long`,
  nonAscii: 'must contain only ASCII characters',
  missingScheme: 'must start with the scheme "spiffe://"',
  wrongScheme: 'scheme must be "spiffe"',
  schemeCase: 'scheme must be lowercase "spiffe"',
  missingAuthority: 'scheme must be followed by "//" and a trust domain',
  query: 'must not contain a query ("?")',
  fragment: 'must not contain a fragment ("#")',
  trustDomainMissing: 'trust domain must not be empty',
  trustDomainTooLong: `trust domain must be at most ${TRUST_DOMAIN_MAX_BYTES} bytes long`,
  userinfo: 'trust domain must not contain userinfo ("@")',
  port: 'trust domain must not contain a port (":")',
  trustDomainPercent: 'trust domain must not contain percent-encoded characters',
  trustDomainCase: 'trust domain must be lowercase',
  trustDomainChars: 'trust domain may contain only lowercase letters, digits, ".", "-" and "_"',
  pathPercent: 'path must not contain percent-encoded characters',
  trailingSlash: 'path must not end with "/"',
  emptySegment: 'path must not contain empty segments ("//")',
  dotSegment: 'path must not contain "." or ".." segments',
  pathChars: 'path segments may contain only letters, digits, ".", "-" and "_"',
} as const;

export type SpiffeIdRule = (typeof SPIFFE_ID_RULES)[keyof typeof SPIFFE_ID_RULES];

const TRUST_DOMAIN_CHARS = /^[a-z0-9._-]+$/;
const SEGMENT_CHARS = /^[A-Za-z0-9._-]+$/;
// RFC 3986 scheme syntax, used only to tell "wrong scheme" from "no scheme at all".
const SCHEME = /^([A-Za-z][A-Za-z0-9+.-]*):/;

function fail(field: string, rule: SpiffeIdRule): TesseraError {
  return new TesseraError('ERR_INVALID_SPIFFE_ID', `${field}: ${rule}`, { field, rule });
}

/** Checks a trust domain name on its own (authority of a SPIFFE ID). */
export function checkTrustDomain(td: string, field = 'trustDomain'): void {
  if (td.length === 0) throw fail(field, SPIFFE_ID_RULES.trustDomainMissing);
  // Userinfo and port are checked before the character set: they are the likelier mistakes
  // and deserve the more precise message.
  if (td.includes('@')) throw fail(field, SPIFFE_ID_RULES.userinfo);
  if (td.includes(':')) throw fail(field, SPIFFE_ID_RULES.port);
  if (td.includes('%')) throw fail(field, SPIFFE_ID_RULES.trustDomainPercent);
  if (td.length > TRUST_DOMAIN_MAX_BYTES) throw fail(field, SPIFFE_ID_RULES.trustDomainTooLong);
  if (/[A-Z]/.test(td)) throw fail(field, SPIFFE_ID_RULES.trustDomainCase);
  if (!TRUST_DOMAIN_CHARS.test(td)) throw fail(field, SPIFFE_ID_RULES.trustDomainChars);
}

function checkPath(path: string, field: string): void {
  if (path === '') return;
  if (path.includes('%')) throw fail(field, SPIFFE_ID_RULES.pathPercent);
  if (path.endsWith('/')) throw fail(field, SPIFFE_ID_RULES.trailingSlash);
  for (const segment of path.slice(1).split('/')) {
    if (segment === '') throw fail(field, SPIFFE_ID_RULES.emptySegment);
    if (segment === '.' || segment === '..') throw fail(field, SPIFFE_ID_RULES.dotSegment);
    if (!SEGMENT_CHARS.test(segment)) throw fail(field, SPIFFE_ID_RULES.pathChars);
  }
}

/**
 * Parses and validates a SPIFFE ID. Throws TesseraError ERR_INVALID_SPIFFE_ID with
 * `{ field, rule }` naming the first rule the value breaks.
 */
export function parseSpiffeId(value: unknown, field = 'spiffeId'): SpiffeId {
  if (typeof value !== 'string') throw fail(field, SPIFFE_ID_RULES.notString);
  if (value.length === 0) throw fail(field, SPIFFE_ID_RULES.empty);
  // Only ASCII is allowed, so bytes = characters once that holds; check the byte length first
  // so a huge value is refused before any further scanning.
  if (Buffer.byteLength(value, 'utf8') > SPIFFE_ID_MAX_BYTES) throw fail(field, SPIFFE_ID_RULES.tooLong);
  if (/[^\x00-\x7f]/.test(value)) throw fail(field, SPIFFE_ID_RULES.nonAscii);

  const scheme = SCHEME.exec(value)?.[1];
  if (scheme === undefined) throw fail(field, SPIFFE_ID_RULES.missingScheme);
  if (scheme.toLowerCase() !== 'spiffe') throw fail(field, SPIFFE_ID_RULES.wrongScheme);
  if (scheme !== 'spiffe') throw fail(field, SPIFFE_ID_RULES.schemeCase);
  const rest = value.slice('spiffe:'.length);
  if (!rest.startsWith('//')) throw fail(field, SPIFFE_ID_RULES.missingAuthority);

  // A query or fragment anywhere makes the whole URI something other than a SPIFFE ID.
  if (rest.includes('?')) throw fail(field, SPIFFE_ID_RULES.query);
  if (rest.includes('#')) throw fail(field, SPIFFE_ID_RULES.fragment);

  const afterSlashes = rest.slice(2);
  const slash = afterSlashes.indexOf('/');
  const trustDomain = slash === -1 ? afterSlashes : afterSlashes.slice(0, slash);
  const path = slash === -1 ? '' : afterSlashes.slice(slash);
  checkTrustDomain(trustDomain, field);
  checkPath(path, field);

  const id = value;
  return Object.freeze({ id, trustDomain, path, toString: () => id });
}

/** True when value is a valid SPIFFE ID (no error detail). */
export function isSpiffeId(value: unknown): value is string {
  try { parseSpiffeId(value); return true; } catch { return false; }
}
