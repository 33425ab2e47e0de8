import { decodeJws } from '../../ca/index.ts';
import { TesseraError } from '../../shared/errors.ts';
import type { Identity } from '../../identity/index.ts';
import { findJoinToken } from '../join-tokens/index.ts';
import { TOKEN_TYPE_JOIN_TOKEN } from './constants.ts';
import type { BindingMatch, ExchangeDeps, ResolvedSubject } from './types.ts';
import { verifyTesseraJwtSvid } from './verify-tessera-jwt-svid.ts';

/** What was learnt about a subject before it was refused: the audit event tells it. */
export interface SubjectTrace {
  source?: { kind: string; name: string } | undefined;
  binding?: string | undefined;
  explanations?: BindingMatch['explanations'] | undefined;
  spiffeId?: string | undefined;
}

const grant = (field: string, reason: string, extra: Record<string, unknown> = {}) =>
  new TesseraError('ERR_INVALID_GRANT', `${field}: ${reason}`, { field, rule: 'valid subject', reason, ...extra });

async function enabledIdentity(deps: ExchangeDeps, spiffeId: string, field: string): Promise<Identity> {
  const identity = await deps.store.identities.getBySpiffeId(spiffeId);
  if (!identity) throw grant(field, `no identity ${spiffeId} is registered`);
  if (identity.disabledAt !== null) throw grant(field, `identity ${spiffeId} is disabled`);
  return identity;
}

/**
 * Who a subject (or actor) token speaks for: a join token → its identity; a JWT whose iss is this
 * server → a Tessera JWT-SVID → its sub; any other JWT → an external OIDC token, verified against
 * its trust source and mapped to an identity by the source's bindings. The unverified iss only
 * chooses the path: each path verifies everything itself. Throws ERR_INVALID_GRANT.
 */
export async function resolveSubject(deps: ExchangeDeps, token: string, type: string, field: string, trace: SubjectTrace): Promise<ResolvedSubject> {
  if (type === TOKEN_TYPE_JOIN_TOKEN) {
    const found = await findJoinToken(deps, token);
    if (found.record) trace.source = { kind: 'join-token', name: found.record.id };
    if (found.identity) trace.spiffeId = found.identity.spiffeId;
    if (!found.ok) throw grant(field, found.reason);
    const { record, identity } = found;
    if (identity.disabledAt !== null) throw grant(field, `identity ${identity.spiffeId} is disabled`);
    return { identity, source: { kind: 'join-token', name: record.id }, claims: {}, joinToken: record };
  }

  const decoded = decodeJws(token);
  if (!decoded.ok) throw grant(field, `not a JWT: ${decoded.reason}`);
  const iss = decoded.jws.payload?.iss;
  if (iss === deps.issuer) {
    trace.source = { kind: 'jwt-svid', name: deps.issuer };
    const svid = verifyTesseraJwtSvid(deps, token, field);
    trace.spiffeId = svid.spiffeId;
    if (svid.revoked) throw grant(field, 'JWT-SVID has been revoked');
    const identity = await enabledIdentity(deps, svid.spiffeId, field);
    return { identity, source: { kind: 'jwt-svid', name: deps.issuer }, claims: svid.claims, notAfter: svid.exp };
  }

  if (!deps.external) throw grant(field, 'the token is not from this server and no trust source is configured for other issuers');
  const verified = await deps.external.verify(token, decoded).catch((e: unknown) => {
    // The trust capability names why (wrong issuer, expired, bad signature…); keep its words.
    if (e instanceof TesseraError && e.code === 'ERR_INVALID_GRANT') {
      throw grant(field, e.message, typeof e.details?.reason === 'string' ? { refusal: e.details.reason } : {});
    }
    throw e;
  });
  const source = { kind: 'oidc' as const, name: verified.source.name, environment: verified.source.environment };
  trace.source = { kind: 'oidc', name: verified.source.name };
  const m = await deps.external.match(verified);
  trace.explanations = m.explanations;
  if (!m.match) {
    throw grant(field, `no binding of trust source ${verified.source.name} matched the token`, { explanations: m.explanations });
  }
  trace.binding = m.match.binding;
  trace.spiffeId = m.match.spiffeId;
  const identity = await enabledIdentity(deps, m.match.spiffeId, field);
  return { identity, source, claims: verified.claims, binding: m.match.binding };
}
