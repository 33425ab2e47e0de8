import type { RequestContext } from '../shared/context.ts';
import { TesseraError, invalid } from '../shared/errors.ts';
import { checkKnownFields, checkObject, parseTime } from '../identity/guardrails.ts';
import { findStaticKey, STATIC_KEY_PREFIX } from '../identity/static-keys/index.ts';
import { auditRefusal, targetOf, type RevocationDeps } from './operation.ts';
import { recordRevocation, type RevocationTarget } from './record-revocation.ts';
import type { Revocation } from './types.ts';
import { CLOCK_SKEW_SECONDS, verifyIssuedJwt } from './verify-issued-jwt.ts';

/** What an admin sends (untrusted: every field is checked). Exactly one of jti, identity, staticKeyId, token. */
export interface CreateRevocationInput {
  jti?: string | undefined;
  /** identity id or SPIFFE ID */
  identity?: string | undefined;
  staticKeyId?: string | undefined;
  /** a JWT-SVID, access token or tsk_ key this server issued */
  token?: string | undefined;
  reason?: string | undefined;
  /** when the credential was reported or detected: ISO-8601 or epoch ms; default now */
  detectedAt?: string | number | undefined;
}

export interface CreatedRevocation {
  revocation: Revocation;
  /** false when the credential was already revoked: the existing revocation is returned */
  created: boolean;
}

const TARGETS = ['jti', 'identity', 'staticKeyId', 'token'] as const;
const FIELDS = [...TARGETS, 'reason', 'detectedAt'];
export const REASON_MAX = 1024;
const JTI = /^[\x21-\x7e]{1,256}$/;

function checkReason(value: unknown): string {
  if (value === undefined || value === null) return '';
  if (typeof value !== 'string') throw invalid('reason', 'must be a string');
  if (value.length > REASON_MAX) throw invalid('reason', `must be at most ${REASON_MAX} characters`);
  return value.trim();
}

function checkDetectedAt(value: unknown, now: number): number {
  if (value === undefined || value === null) return now;
  const t = parseTime(value, 'detectedAt');
  if (t > now + CLOCK_SKEW_SECONDS * 1000) throw invalid('detectedAt', 'must not be in the future: it is when the credential was reported or detected');
  return t;
}

async function targetOfInput(deps: RevocationDeps, field: (typeof TARGETS)[number], value: unknown): Promise<RevocationTarget> {
  if (typeof value !== 'string' || value.length === 0) throw invalid(field, 'must be a non-empty string');
  if (field === 'jti') {
    if (!JTI.test(value)) throw invalid('jti', 'must be 1 to 256 printable ASCII characters');
    return { kind: 'jti', jti: value };
  }
  if (field === 'identity') {
    if (value.length > 2048) throw invalid('identity', 'must be at most 2048 characters');
    const identity = value.startsWith('spiffe://') ? await deps.store.identities.getBySpiffeId(value) : await deps.store.identities.get(value);
    if (!identity) throw new TesseraError('ERR_NOT_FOUND', `identity: no identity ${value}`, { field: 'identity', rule: 'must exist' });
    return { kind: 'identity', identity };
  }
  if (field === 'staticKeyId') {
    const key = value.length <= 128 ? await deps.store.staticKeys.get(value) : undefined;
    if (!key) throw new TesseraError('ERR_NOT_FOUND', `staticKeyId: no static key ${value.slice(0, 128)}`, { field: 'staticKeyId', rule: 'must exist' });
    return { kind: 'static-key', key, spiffeId: (await deps.store.identities.get(key.identityId))?.spiffeId };
  }
  // A token: only one this server issued can be revoked, and only while it is still valid.
  if (value.startsWith(STATIC_KEY_PREFIX)) {
    const found = await findStaticKey(deps.store, value);
    if (!found.ok) throw invalid('token', `is not a static key this server issued (${found.reason})`);
    return { kind: 'static-key', key: found.key, spiffeId: found.identity?.spiffeId };
  }
  const v = verifyIssuedJwt(deps, value);
  if (!v.ok) {
    throw v.expired
      ? invalid('token', 'has already expired: there is nothing left to revoke')
      : invalid('token', `is not a valid token this server issued (${v.reason})`);
  }
  const c = v.jwt.claims;
  return { kind: 'jti', jti: c.jti, expiresAt: c.exp * 1000, sub: c.sub };
}

/** What a revocation of this target stores as its value. */
const valueOf = (t: RevocationTarget): string => (t.kind === 'jti' ? t.jti : t.kind === 'identity' ? t.identity.spiffeId : t.key.id);

/**
 * Revokes one credential (a token by jti, every token of an identity, a static key), durably,
 * before answering. Revoking a token or key that is already revoked returns the existing
 * revocation; revoking an identity again records a new cut-off.
 */
export async function createRevocation(deps: RevocationDeps, ctx: RequestContext, input: unknown): Promise<CreatedRevocation> {
  let described: string | undefined;
  const target = () => described ?? targetOf((input as Record<string, unknown> | null)?.identity) ?? targetOf((input as Record<string, unknown> | null)?.jti);
  return auditRefusal(deps, ctx, 'revocation.create', target, async () => {
    const body = checkObject(input, 'body');
    checkKnownFields(body, FIELDS);
    const given = TARGETS.filter((k) => body[k] !== undefined && body[k] !== null);
    if (given.length !== 1) {
      throw invalid(given[1] ?? 'jti', `give exactly one of ${TARGETS.join(', ')}${given.length ? ` (got ${given.join(', ')})` : ''}`);
    }
    const now = deps.clock.now();
    const reason = checkReason(body.reason);
    const detectedAt = checkDetectedAt(body.detectedAt, now);
    const t = await targetOfInput(deps, given[0]!, body[given[0]!]);
    described = t.kind === 'jti' ? t.sub ?? t.jti : t.kind === 'identity' ? t.identity.spiffeId : t.spiffeId ?? t.key.id;

    if (t.kind !== 'identity') {
      const existing = await deps.store.revocations.findActive(t.kind, valueOf(t), now);
      if (existing) return { revocation: existing, created: false };
    }
    return { revocation: await recordRevocation(deps, ctx, t, { reason, detectedAt, via: 'api' }), created: true };
  });
}
