// RFC 8693 token exchange: a proof of what a workload is (external OIDC token, join token or
// Tessera JWT-SVID) in, a short-lived token for the named audience out. Every exchange, allowed
// or refused, is exactly one `token.exchange` audit event telling the source, the binding, the
// identity, the audience and the decision; never the tokens.
import type { RequestContext } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import { effectiveTtl, type Identity } from '../../identity/index.ts';
import { decide, type Decision } from '../../policy/index.ts';
import { scopeMatches } from '../../policy/exceptions/index.ts';
import type { ActiveElevation } from '../../policy/elevation/index.ts';
import { EXCHANGE_ACTION, TOKEN_TYPE_ACCESS_TOKEN } from './constants.ts';
import { parseExchangeRequest, type ExchangeRequest } from './parse-exchange-request.ts';
import { resolveSubject, type SubjectTrace } from './resolve-subject.ts';
import { signExchangedToken } from './sign-exchanged-token.ts';
import type { ExchangeDeps, ExchangeForm, ExchangeResponse, ResolvedSubject, SenderConstraint, TokenBinding } from './types.ts';

// Failures of the server itself are not refusals of the caller's request.
const NOT_REFUSALS = new Set(['ERR_STORE_UNAVAILABLE', 'ERR_INTERNAL']);

/** What the audit event says about an exchange, filled in as the exchange proceeds. */
interface ExchangeTrace {
  req?: ExchangeRequest | undefined;
  subject: SubjectTrace;
  actor: SubjectTrace;
  decision?: Decision | undefined;
  constraint: TokenBinding;
}

/** A target that is this server itself: its own API takes only tokens from the jwt-bearer grant. */
const isOwnApi = (deps: ExchangeDeps, t: string) => t === deps.issuer || t.startsWith(`${deps.issuer}/`);

function details(r: ExchangeTrace, extra: Record<string, unknown>): Record<string, unknown> {
  const d: Record<string, unknown> = {};
  if (r.req) {
    d.subjectTokenType = r.req.subjectTokenType;
    d.requestedTokenType = r.req.requestedTokenType;
    d.audience = r.req.targets;
    if (r.req.scope !== undefined) d.scope = r.req.scope;
  }
  if (r.subject.source) d.source = r.subject.source;
  if (r.subject.binding !== undefined) d.binding = r.subject.binding;
  if (r.subject.explanations !== undefined) d.bindings = r.subject.explanations;
  if (r.subject.spiffeId !== undefined) d.identity = r.subject.spiffeId;
  if (r.actor.source || r.actor.spiffeId !== undefined) {
    d.actor = { ...(r.actor.spiffeId !== undefined ? { sub: r.actor.spiffeId } : {}), ...(r.actor.source ? { source: r.actor.source } : {}) };
  }
  if (r.decision) {
    d.decision = { allow: r.decision.allow, reasons: r.decision.reasons, policies: r.decision.policies };
    // Denies neutralised by an exception, and warn/audit-mode denials: the audit trail of exception use.
    if (r.decision.warnings && r.decision.warnings.length > 0) (d.decision as Record<string, unknown>).warnings = r.decision.warnings;
  }
  if (r.constraint.dpopJkt !== undefined) d.dpopJkt = r.constraint.dpopJkt;
  if (r.constraint.mtlsX5t !== undefined) d.mtlsX5t = r.constraint.mtlsX5t;
  return { ...d, ...extra };
}

/** Bearer tokens forbidden for the identity: only a sender-constrained access token may be issued. */
function checkSenderConstraint(identity: Identity, req: ExchangeRequest, c: TokenBinding): void {
  if (!identity.bearerForbidden) return;
  const rule = 'sender-constrained tokens only';
  if (req.requestedTokenType !== TOKEN_TYPE_ACCESS_TOKEN) {
    throw new TesseraError('ERR_INVALID_INPUT', 'requested_token_type: this identity may only receive sender-constrained tokens, and a JWT-SVID is a bearer token',
      { field: 'requested_token_type', rule, reason: 'bearer tokens forbidden for this identity' });
  }
  if (c.dpopJkt === undefined && c.mtlsX5t === undefined) {
    throw new TesseraError('ERR_INVALID_INPUT', 'DPoP: this identity may only receive sender-constrained tokens: send a DPoP proof (or use a TLS client certificate)',
      { field: 'DPoP', rule, reason: 'bearer tokens forbidden for this identity' });
  }
}

/** What policies see besides the request: running elevations and the exceptions covering the subject. */
interface DecisionExtras { now: number; elevations: ActiveElevation[] }

async function decisionExtras(deps: ExchangeDeps, spiffeId: string): Promise<DecisionExtras> {
  // One clock reading for the lookup and the decision: a grant ending between the two must not count.
  const now = deps.clock.now();
  return { now, elevations: deps.elevations ? await deps.elevations(spiffeId, now) : [] };
}

function decideExchange(deps: ExchangeDeps, ctx: RequestContext, req: ExchangeRequest, s: ResolvedSubject, actor: ResolvedSubject | undefined, c: TokenBinding, x: DecisionExtras): Decision {
  const i = s.identity;
  const exceptions = (deps.exceptions?.(x.now) ?? []).filter((e) => scopeMatches(e.scope, { identity: i.spiffeId }));
  return decide({
    subject: {
      spiffeId: i.spiffeId, owner: i.owner, environment: i.environment, tier: i.tier, labels: i.labels,
      enabled: i.disabledAt === null, claims: s.claims, source: s.source, binding: s.binding,
    },
    audience: req.targets,
    action: 'token.exchange',
    context: {
      time: x.now, sourceIp: ctx.sourceIp, requestedTokenType: req.requestedTokenType, scope: req.scope,
      actor: actor?.identity.spiffeId, senderConstrained: c.dpopJkt !== undefined || c.mtlsX5t !== undefined,
      elevations: x.elevations, elevationAudiences: deps.elevationAudiences ?? [],
      // Scopes (globs included) are matched here; decide() is given each as resolved for this subject.
      exceptions: exceptions.map((e) => ({ name: e.name, policy: e.policy, scope: { identity: i.spiffeId }, expiresAt: e.expiresAt })),
    },
  }, deps.policies);
}

/** The RFC 8693 handler; refusals are audited and rethrown as TesseraErrors the HTTP layer maps. */
export async function exchangeToken(deps: ExchangeDeps, form: ExchangeForm, ctx: RequestContext, constraint: SenderConstraint = {}): Promise<ExchangeResponse> {
  const r: ExchangeTrace = { subject: {}, actor: {}, constraint: { dpopJkt: constraint.dpopJkt } };
  try {
    const req = parseExchangeRequest(form);
    r.req = req;
    const subject = await resolveSubject(deps, req.subjectToken, req.subjectTokenType, 'subject_token', r.subject);
    // A client certificate binds the token only when it is the same workload's X509-SVID.
    if (constraint.mtls !== undefined && constraint.mtls.spiffeId === subject.identity.spiffeId) r.constraint.mtlsX5t = constraint.mtls.x5tS256;
    const actor = req.actorToken === undefined ? undefined
      : await resolveSubject(deps, req.actorToken, req.actorTokenType!, 'actor_token', r.actor);
    const own = req.targets.find((t) => isOwnApi(deps, t));
    if (own !== undefined) {
      throw new TesseraError('ERR_INVALID_TARGET', `audience: ${own} is this server; tokens for Tessera's own API come from the jwt-bearer grant`,
        { field: 'audience', rule: 'not this server', reason: 'audience is this server' });
    }
    checkSenderConstraint(subject.identity, req, r.constraint);
    r.decision = decideExchange(deps, ctx, req, subject, actor, r.constraint, await decisionExtras(deps, subject.identity.spiffeId));
    if (!r.decision.allow) {
      throw new TesseraError('ERR_INVALID_TARGET', `audience: no token is issued for ${req.targets.join(', ')}: ${r.decision.reasons.join('; ')}`,
        { field: 'audience', rule: 'policy', reason: r.decision.reasons.join('; ') });
    }

    const identity = subject.identity;
    const now = deps.clock.now();
    let ttl = effectiveTtl({ identityMax: identity.maxTtlSeconds, policyMax: deps.svidMaxTtl });
    // Re-exchanging a JWT-SVID must not extend its life: a stolen one would otherwise never expire.
    if (subject.notAfter !== undefined) ttl = Math.min(ttl, subject.notAfter - Math.floor(now / 1000));
    const signed = signExchangedToken(deps, {
      spiffeId: identity.spiffeId, targets: req.targets, requestedTokenType: req.requestedTokenType, scope: req.scope,
      actor: actor?.identity.spiffeId, constraint: r.constraint, ttlSeconds: ttl,
    });
    const access = req.requestedTokenType === TOKEN_TYPE_ACCESS_TOKEN;
    const tokenType = !access ? 'N_A' : signed.cnf?.jkt !== undefined ? 'DPoP' : 'Bearer';
    const workload: RequestContext = { ...ctx, actor: { id: identity.spiffeId, roles: ['workload'] } };
    await deps.store.write(async (tx) => {
      // Consumed in the transaction that records the issuance: of two racing redemptions one
      // commits, the other finds the token used and issues nothing.
      if (subject.joinToken && !(await deps.store.joinTokens.consume(tx, subject.joinToken.hash, now))) {
        throw new TesseraError('ERR_INVALID_GRANT', 'subject_token: join token was already used: join tokens are single-use',
          { field: 'subject_token', rule: 'single use', reason: 'join token was already used' });
      }
      tx.audit(workload, {
        action: EXCHANGE_ACTION, outcome: 'success', target: identity.spiffeId,
        details: details(r, { jti: signed.jti, kid: signed.kid, tokenType, expiresAt: new Date(signed.exp * 1000).toISOString() }),
      });
    });
    return {
      access_token: signed.token, issued_token_type: req.requestedTokenType, token_type: tokenType, expires_in: ttl,
      ...(req.scope !== undefined ? { scope: req.scope } : {}),
    };
  } catch (e) {
    if (e instanceof TesseraError && !NOT_REFUSALS.has(e.code)) await auditRefused(deps, ctx, e, r);
    throw e;
  }
}

/** Records a refused exchange: what was learnt before the refusal, and why. */
async function auditRefused(deps: Pick<ExchangeDeps, 'store'>, ctx: RequestContext, e: TesseraError, trace: ExchangeTrace, extra: Record<string, unknown> = {}): Promise<void> {
  const why: Record<string, unknown> = { ...extra, code: e.code, reason: typeof e.details?.reason === 'string' ? e.details.reason : e.message };
  if (typeof e.details?.field === 'string') why.field = e.details.field;
  if (typeof e.details?.refusal === 'string') why.refusal = e.details.refusal;
  try {
    await deps.store.write(async (tx) => {
      tx.audit(ctx, { action: EXCHANGE_ACTION, outcome: 'denied', target: trace.subject.spiffeId, details: details(trace, why) });
    });
  } catch {
    // The caller still learns why it was refused; a store that cannot record the refusal
    // recorded nothing else either (no token was handed out).
  }
}

/**
 * For refusals before exchangeToken runs (a bad DPoP proof): they too are one token.exchange
 * event, naming the subject token type asked for.
 */
export async function auditExchangeRefusal(deps: Pick<ExchangeDeps, 'store'>, ctx: RequestContext, e: TesseraError, form: ExchangeForm): Promise<void> {
  const t = form.subject_token_type;
  await auditRefused(deps, ctx, e, { subject: {}, actor: {}, constraint: {} }, typeof t === 'string' ? { subjectTokenType: t.slice(0, 128) } : {});
}
