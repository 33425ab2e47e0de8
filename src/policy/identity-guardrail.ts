// The identity registry's hook into decide(): identity.create / identity.update and
// static-key.create are decided by the live policy set like a token exchange. The subject is the identity as it would be stored.
import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { Identity } from '../identity/types.ts';
import type { PolicySet } from './compile-policies.ts';
import { decide } from './decide.ts';
import type { DecisionSubject } from './types.ts';

/** The decision subject for an identity record (no proof: claims empty, source the admin API). */
export function identitySubject(i: Identity, actor: string): DecisionSubject {
  const s: DecisionSubject = {
    spiffeId: i.spiffeId, owner: i.owner, environment: i.environment, tier: i.tier, labels: i.labels,
    enabled: i.disabledAt === null, claims: {}, source: { kind: 'api', name: actor }, maxTtlSeconds: i.maxTtlSeconds,
  };
  if (i.staticException) s.staticException = { reason: i.staticException.reason, expiresAt: i.staticException.expiresAt };
  return s;
}

/** A guardrail for IdentityDeps: refuses with ERR_DENIED naming the denying policies. */
export function policyGuardrail(current: () => PolicySet, clock: Clock) {
  return (action: 'identity.create' | 'identity.update' | 'static-key.create', identity: Identity, ctx: RequestContext,
    resource?: Record<string, unknown>): void => {
    const d = decide({
      subject: identitySubject(identity, ctx.actor.id), audience: [], action, ...(resource ? { resource } : {}),
      context: { time: clock.now(), sourceIp: ctx.sourceIp, actor: ctx.actor.id },
    }, current());
    if (d.allow) return;
    const named = d.policies.length > 0 ? `policy ${d.policies.join(', ')}` : 'no policy allows it';
    throw new TesseraError('ERR_DENIED', `${action} of ${identity.spiffeId} denied by ${named}: ${d.reasons.join('; ')}`,
      { field: 'body', rule: d.policies.length > 0 ? `policy ${d.policies[0]}` : 'no allowing policy', policies: d.policies, reasons: d.reasons });
  };
}
