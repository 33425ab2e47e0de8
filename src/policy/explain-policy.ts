// `policy explain`: a what-if decision for a registered identity (or a subject given in full),
// with every policy's part in it. Changes nothing.
import { TesseraError } from '../shared/errors.ts';
import type { Clock } from '../shared/clock.ts';
import type { IdentityRepo } from '../identity/identity-repo.ts';
import type { PolicySet } from './compile-policies.ts';
import { explainDecision } from './decide.ts';
import { identitySubject } from './identity-guardrail.ts';
import type { DecisionSubject, Explanation, SubjectSource } from './types.ts';

export interface ExplainRequest {
  action: string;
  /** a registered SPIFFE ID */
  subject: string;
  audience?: string | string[] | undefined;
  context?: Record<string, unknown> | undefined;
  /** what attested the subject (token.exchange); default the admin API */
  source?: SubjectSource | undefined;
  claims?: Record<string, unknown> | undefined;
  resource?: Record<string, unknown> | undefined;
}

const bad = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });

export async function explainPolicy(
  deps: { identities: Pick<IdentityRepo, 'getBySpiffeId'>; clock: Clock; current: () => PolicySet }, req: ExplainRequest,
): Promise<Explanation & { subject: DecisionSubject }> {
  if (typeof req.action !== 'string' || req.action.length === 0) throw bad('action', 'is required');
  if (typeof req.subject !== 'string' || !req.subject.startsWith('spiffe://')) throw bad('subject', 'must be a registered SPIFFE ID');
  const identity = await deps.identities.getBySpiffeId(req.subject);
  if (!identity) throw new TesseraError('ERR_NOT_FOUND', `subject: no identity ${req.subject}`, { field: 'subject', rule: 'must exist' });
  const subject = identitySubject(identity, 'explain');
  if (req.source) subject.source = req.source;
  if (req.claims) subject.claims = req.claims;
  const audience = req.audience === undefined ? [] : Array.isArray(req.audience) ? req.audience : [req.audience];
  const context = { ...(req.context ?? {}), time: typeof req.context?.time === 'number' ? req.context.time : deps.clock.now() };
  const input = { subject, audience, action: req.action, context, ...(req.resource ? { resource: req.resource } : {}) };
  return { ...explainDecision(input, deps.current()), subject };
}
