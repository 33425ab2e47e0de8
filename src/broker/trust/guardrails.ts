// The rules a trust source must satisfy, as pure functions over untrusted input. Each refusal
// names the field and the rule.
import { invalid } from '../../shared/errors.ts';
import { parseDuration } from '../../shared/duration.ts';
import { verifierKeyFromJwk } from '../../ca/verifier-key.ts';
import { compileCondition } from './condition.ts';
import { compileTemplate } from './template.ts';
import { MAX_TOKEN_AGE_CAP_SECONDS, PRESETS } from './presets.ts';
import { EXTERNAL_ALGS, TRUST_KINDS, type ExternalAlg, type TrustBinding, type TrustKind } from './types.ts';

const NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const ENVIRONMENT = /^[a-z0-9-]{1,32}$/;
const BINDINGS_MAX = 64;
const AUDIENCES_MAX = 16;
const DESCRIPTION_MAX = 1024;
const JWKS_KEYS_MAX = 32;

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export function checkObject(value: unknown, field = 'body'): Record<string, unknown> {
  if (!isPlainObject(value)) throw invalid(field, 'must be an object');
  return value;
}

export function checkKnownFields(input: Record<string, unknown>, known: readonly string[], prefix = ''): void {
  for (const k of Object.keys(input)) if (!known.includes(k)) throw invalid(`${prefix}${k}`, 'is not a known field');
}

export function checkName(value: unknown, field = 'name'): string {
  if (value === undefined || value === null || value === '') throw invalid(field, 'is required');
  if (typeof value !== 'string' || !NAME.test(value)) throw invalid(field, 'must be 1 to 63 lowercase letters, digits or "-", starting with a letter or digit');
  return value;
}

export function checkKind(value: unknown): TrustKind {
  if (value === undefined || value === null) throw invalid('kind', `is required: one of ${TRUST_KINDS.join(', ')}`);
  if (!TRUST_KINDS.includes(value as TrustKind)) throw invalid('kind', `must be one of ${TRUST_KINDS.join(', ')}`);
  return value as TrustKind;
}

const LOOPBACK = new Set(['127.0.0.1', 'localhost', '[::1]']);

/** An http(s) URL without query, fragment or credentials; plain http only to loopback. */
export function checkUrl(value: unknown, field: string): string {
  if (typeof value !== 'string' || value === '') throw invalid(field, 'must be a URL');
  if (value.length > 1024) throw invalid(field, 'must be at most 1024 characters');
  let u: URL;
  try { u = new URL(value); } catch { throw invalid(field, 'must be an absolute URL'); }
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && LOOPBACK.has(u.hostname))) {
    throw invalid(field, 'must be https (plain http only to a loopback address)');
  }
  if (u.username || u.password) throw invalid(field, 'must not contain credentials');
  if (u.search || u.hash || value.includes('?') || value.includes('#')) throw invalid(field, 'must not have a query or fragment');
  return value;
}

/** The issuer is compared byte for byte with `iss`, so it is stored exactly as given. */
export function checkIssuer(value: unknown, kind: TrustKind): string {
  const v = value ?? PRESETS[kind].issuer;
  if (v === undefined) throw invalid('issuer', `is required for kind ${kind}`);
  return checkUrl(v, 'issuer');
}

export function checkAlgorithms(value: unknown, kind: TrustKind): ExternalAlg[] {
  if (value === undefined || value === null) return [...PRESETS[kind].algorithms];
  if (!Array.isArray(value) || value.length === 0) throw invalid('algorithms', `must be a non-empty list of ${EXTERNAL_ALGS.join(', ')}`);
  for (const [i, a] of value.entries()) {
    if (!EXTERNAL_ALGS.includes(a as ExternalAlg)) {
      throw invalid(`algorithms[${i}]`, `must be one of ${EXTERNAL_ALGS.join(', ')} (none, HS* and others are never accepted)`);
    }
  }
  return [...new Set(value as ExternalAlg[])];
}

export function checkAudiences(value: unknown): string[] {
  const list = typeof value === 'string' ? [value] : value;
  if (list === undefined || list === null || (Array.isArray(list) && list.length === 0)) {
    throw invalid('audiences', 'is required: the audience Tessera expects in these tokens');
  }
  if (!Array.isArray(list)) throw invalid('audiences', 'must be a list of strings');
  if (list.length > AUDIENCES_MAX) throw invalid('audiences', `must have at most ${AUDIENCES_MAX} entries`);
  for (const [i, a] of list.entries()) {
    if (typeof a !== 'string' || a === '' || a.length > 512) throw invalid(`audiences[${i}]`, 'must be a non-empty string of at most 512 characters');
  }
  return [...new Set(list as string[])];
}

export function checkMaxTokenAge(value: unknown, kind: TrustKind): number {
  if (value === undefined || value === null) return PRESETS[kind].maxTokenAgeSeconds;
  const s = parseDuration(value, 'maxTokenAge');
  if (s <= 0) throw invalid('maxTokenAge', 'must be positive');
  if (s > MAX_TOKEN_AGE_CAP_SECONDS) throw invalid('maxTokenAge', 'must be at most 24h');
  return s;
}

export function checkEnvironment(value: unknown): string {
  if (value === undefined || value === null) throw invalid('environment', 'is required: the environment this source is trusted for (e.g. prod)');
  if (typeof value !== 'string' || !ENVIRONMENT.test(value)) throw invalid('environment', 'must be 1 to 32 lowercase letters, digits or "-"');
  return value;
}

export function checkDescription(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string' || value.length > DESCRIPTION_MAX) throw invalid('description', `must be a string of at most ${DESCRIPTION_MAX} characters`);
  return value;
}

/** An inline JWKS: every key must be one Tessera can verify with, and carry a kid. */
export function checkInlineJwks(value: unknown): { keys: Record<string, unknown>[] } {
  if (!isPlainObject(value) || !Array.isArray(value.keys) || value.keys.length === 0) throw invalid('jwks', 'must be a JWKS: { "keys": [ … ] } with at least one key');
  if (value.keys.length > JWKS_KEYS_MAX) throw invalid('jwks', `must have at most ${JWKS_KEYS_MAX} keys`);
  return {
    keys: value.keys.map((k: unknown, i: number) => {
      const vk = verifierKeyFromJwk(k, `jwks.keys[${i}]`, { allowRsa: true });
      const kid = (k as Record<string, unknown>).kid;
      if (kid !== undefined && (typeof kid !== 'string' || kid.length > 256)) throw invalid(`jwks.keys[${i}].kid`, 'must be a string of at most 256 characters');
      return { ...vk.jwk, ...(kid !== undefined ? { kid } : {}), alg: vk.alg };
    }),
  };
}

export function checkJwksFile(value: unknown): string {
  if (typeof value !== 'string' || value === '' || value.length > 1024 || value.includes('\0')) throw invalid('jwksFile', 'must be a file path');
  if (!value.startsWith('/')) throw invalid('jwksFile', 'must be an absolute path');
  return value;
}

/** Bindings: unique names, a CEL condition that compiles, a template in this trust domain. */
export function checkBindings(value: unknown, trustDomain: string): TrustBinding[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid('bindings', 'must be a list');
  if (value.length > BINDINGS_MAX) throw invalid('bindings', `must have at most ${BINDINGS_MAX} entries`);
  const seen = new Set<string>();
  return value.map((b: unknown, i: number) => {
    const at = `bindings[${i}]`;
    if (!isPlainObject(b)) throw invalid(at, 'must be an object { name, condition, spiffeId }');
    checkKnownFields(b, ['name', 'condition', 'spiffeId'], `${at}.`);
    const name = checkName(b.name, `${at}.name`);
    if (seen.has(name)) throw invalid(`${at}.name`, `binding ${name} is defined twice`);
    seen.add(name);
    const named = `bindings[${i}] (${name})`;
    compileCondition(b.condition, `${named}.condition`);
    compileTemplate(b.spiffeId, trustDomain, `${named}.spiffeId`);
    return { name, condition: b.condition as string, spiffeId: b.spiffeId as string };
  });
}
