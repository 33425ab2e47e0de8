import { TesseraError } from '../../shared/errors.ts';
import {
  REQUESTED_TOKEN_TYPES, SCOPE_MAX_LENGTH, SUBJECT_TOKEN_TYPES, TARGET_MAX_LENGTH, TARGETS_MAX, TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JOIN_TOKEN,
} from './constants.ts';
import type { ExchangeForm } from './types.ts';

export interface ExchangeRequest {
  subjectToken: string;
  subjectTokenType: string;
  actorToken?: string | undefined;
  actorTokenType?: string | undefined;
  /** audience values then resource values, deduplicated: the aud of the issued token */
  targets: string[];
  audience: string[];
  resource: string[];
  requestedTokenType: string;
  scope?: string | undefined;
}

// RFC 6749 §5.2: a missing, repeated or malformed parameter is invalid_request.
const bad = (field: string, rule: string, message: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${message}`, { field, rule, reason: `${field} ${rule}` });
const badTarget = (field: string, message: string) => new TesseraError('ERR_INVALID_TARGET', `${field}: ${message}`, { field, rule: 'valid target', reason: message });

function single(form: ExchangeForm, field: string): string | undefined {
  const v = form[field];
  if (v === undefined) return undefined;
  if (typeof v !== 'string') throw bad(field, 'single', 'must be given once');
  return v;
}

function list(form: ExchangeForm, field: string): string[] {
  const v = form[field];
  return v === undefined ? [] : typeof v === 'string' ? [v] : v;
}

// RFC 6749 §3.3 scope-token characters.
const SCOPE_TOKEN = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

function checkTarget(field: string, value: string): void {
  if (value.length === 0 || value.length > TARGET_MAX_LENGTH) throw bad(field, 'length', `each value must be 1 to ${TARGET_MAX_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(value)) throw bad(field, 'printable', 'must not contain control characters');
}

/** RFC 8707 §2 / RFC 8693 §2.1: an absolute URI without a fragment. */
function checkResource(value: string): void {
  let url: URL;
  try { url = new URL(value); } catch { throw badTarget('resource', 'must be an absolute URI'); }
  if (value.includes('#') || url.hash !== '') throw badTarget('resource', 'must not contain a fragment');
}

/** The RFC 8693 §2.1 request, checked for shape; nothing is verified here. */
export function parseExchangeRequest(form: ExchangeForm): ExchangeRequest {
  const subjectToken = single(form, 'subject_token');
  if (subjectToken === undefined || subjectToken === '') throw bad('subject_token', 'required', 'is required: the token that proves who is asking');
  const subjectTokenType = single(form, 'subject_token_type');
  if (subjectTokenType === undefined || subjectTokenType === '') throw bad('subject_token_type', 'required', 'is required');
  if (!SUBJECT_TOKEN_TYPES.includes(subjectTokenType)) throw bad('subject_token_type', 'supported', `must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);

  const actorToken = single(form, 'actor_token');
  const actorTokenType = single(form, 'actor_token_type');
  // RFC 8693 §2.1: actor_token_type is required with actor_token and must not come without it.
  if (actorToken !== undefined && (actorTokenType === undefined || actorTokenType === '')) throw bad('actor_token_type', 'required', 'is required when actor_token is given');
  if (actorToken === undefined && actorTokenType !== undefined) throw bad('actor_token_type', 'unexpected', 'must not be given without actor_token');
  if (actorToken === '') throw bad('actor_token', 'non-empty', 'must not be empty');
  if (actorTokenType !== undefined) {
    if (!SUBJECT_TOKEN_TYPES.includes(actorTokenType)) throw bad('actor_token_type', 'supported', `must be one of ${SUBJECT_TOKEN_TYPES.join(', ')}`);
    // Join tokens bootstrap a subject; spending one to name an actor would only burn it.
    if (actorTokenType === TOKEN_TYPE_JOIN_TOKEN) throw bad('actor_token_type', 'supported', 'a join token cannot be an actor token');
  }

  const audience = list(form, 'audience');
  const resource = list(form, 'resource');
  for (const a of audience) checkTarget('audience', a);
  for (const r of resource) { checkTarget('resource', r); checkResource(r); }
  const targets = [...new Set([...audience, ...resource])];
  if (targets.length === 0) throw bad('audience', 'required', 'audience or resource is required: name the service the token is for');
  if (targets.length > TARGETS_MAX) throw bad('audience', 'count', `at most ${TARGETS_MAX} audience and resource values together`);

  const requested = single(form, 'requested_token_type');
  const requestedTokenType = requested === undefined || requested === '' ? TOKEN_TYPE_ACCESS_TOKEN : requested;
  if (!REQUESTED_TOKEN_TYPES.includes(requestedTokenType)) throw bad('requested_token_type', 'supported', `must be one of ${REQUESTED_TOKEN_TYPES.join(', ')}`);

  const rawScope = single(form, 'scope');
  let scope: string | undefined;
  if (rawScope !== undefined) {
    if (rawScope.length > SCOPE_MAX_LENGTH) throw bad('scope', 'length', `must be at most ${SCOPE_MAX_LENGTH} characters`);
    const tokens = rawScope.split(' ').filter((s) => s !== '');
    if (tokens.length === 0 || !tokens.every((t) => SCOPE_TOKEN.test(t))) throw bad('scope', 'format', 'must be space-separated scope tokens (RFC 6749 §3.3)');
    scope = [...new Set(tokens)].join(' ');
  }
  return { subjectToken, subjectTokenType, actorToken, actorTokenType, targets, audience, resource, requestedTokenType, scope };
}
