// The one access decision. Deny overrides allow; no matching allow denies; a policy whose
// condition cannot be evaluated (a missing claim, a type mismatch) denies: a policy that cannot
// say yes must never be read as one that did not say no. warn/audit policies never decide.
import { compilePolicies, type CompiledPolicy, type PolicySet } from './compile-policies.ts';
import { DEFAULT_POLICIES } from './default-policies.ts';
import { exceptionsApplying } from './exceptions/exceptions-applying.ts';
import type { Decision, DecisionException, DecisionInput, DecisionNote, Explanation, PolicyTrace } from './types.ts';

let builtIn: PolicySet | undefined;

/** The built-in set, compiled on first use. */
export function defaultPolicySet(): PolicySet {
  return (builtIn ??= compilePolicies(DEFAULT_POLICIES));
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);
const NO_RESOURCE: Record<string, unknown> = Object.freeze({}) as Record<string, unknown>;

/** The first active exception of `policy` covering this subject (the exceptions module's rules: globs, expiry, revocation). */
function exceptionFor(list: readonly DecisionException[] | undefined, policy: string, spiffeId: string, now: number): DecisionException | undefined {
  if (!list || list.length === 0) return undefined;
  return exceptionsApplying(list, { policy, target: { identity: spiffeId } }, now)[0];
}

/** Why the match filter leaves the policy out, or undefined when it applies. */
function filterMiss(p: CompiledPolicy, input: DecisionInput): string | undefined {
  if (p.actions && !p.actions(input.action)) return `match.actions does not include ${input.action}`;
  if (p.identities && !p.identities(input.subject.spiffeId)) return `match.identities does not include ${input.subject.spiffeId}`;
  if (p.audiences) {
    let any = false;
    for (const a of input.audience) if (p.audiences(a)) { any = true; break; }
    if (!any) return `match.audiences matches none of [${input.audience.join(', ')}]`;
  }
  return undefined;
}

function evaluateSet(input: DecisionInput, set: PolicySet, trace: PolicyTrace[] | undefined): Decision {
  // CEL sees time as a timestamp; everything else as given.
  const vars = {
    subject: input.subject,
    resource: input.resource ?? NO_RESOURCE,
    audience: input.audience,
    action: input.action,
    context: { ...input.context, time: new Date(input.context.time) },
  };
  let denies: CompiledPolicy[] | undefined;
  let denyReasons: string[] | undefined;
  let allows: CompiledPolicy[] | undefined;
  let warnings: DecisionNote[] | undefined;
  const list = trace ? set.policies : set.forAction(input.action);
  for (const p of list) {
    const miss = filterMiss(p, input);
    if (miss !== undefined) {
      trace?.push({ policy: p.name, effect: p.effect, mode: p.mode, source: p.source, outcome: 'not-applicable', detail: miss });
      continue;
    }
    let result: unknown;
    let error: string | undefined;
    try {
      result = p.evaluate(vars);
      if (typeof result !== 'boolean') error = `did not evaluate to a bool (got ${typeof result})`;
    } catch (e) {
      error = firstLine(e);
    }
    if (error === undefined && result === false) {
      trace?.push({ policy: p.name, effect: p.effect, mode: p.mode, source: p.source, outcome: 'condition-false', detail: 'condition is false' });
      continue;
    }
    // From here on the policy matched, or failed: a failure counts as a matching deny.
    const denying = error !== undefined || p.effect === 'deny';
    const reason = error !== undefined ? `policy ${p.name} could not be evaluated (${error}): denied` : p.reason;
    const step: PolicyTrace | undefined = trace
      ? { policy: p.name, effect: p.effect, mode: p.mode, source: p.source, outcome: error !== undefined ? 'error' : 'condition-true', detail: error ?? p.reason }
      : undefined;
    if (step) trace!.push(step);
    if (p.mode !== 'enforce') {
      if (denying) (warnings ??= []).push({ policy: p.name, mode: p.mode, reason });
      continue;
    }
    if (!denying) { (allows ??= []).push(p); continue; }
    const exception = exceptionFor(input.context.exceptions, p.name, input.subject.spiffeId, input.context.time);
    if (exception) {
      (warnings ??= []).push({ policy: p.name, mode: p.mode, reason: `${reason} (neutralised by exception ${exception.name})`, exception: exception.name });
      if (step) step.exception = exception.name;
      continue;
    }
    (denies ??= []).push(p);
    (denyReasons ??= []).push(reason);
  }
  const notes = warnings ?? [];
  if (denies) return { allow: false, reasons: denyReasons!, policies: denies.map((d) => d.name), warnings: notes };
  if (allows) return { allow: true, reasons: allows.map((a) => a.reason), policies: allows.map((a) => a.name), warnings: notes };
  return { allow: false, reasons: [`no policy allows ${input.action} for ${input.subject.spiffeId}`], policies: [], warnings: notes };
}

/** Decides an action; pure and synchronous (CEL compiled once, evaluated here in microseconds). */
export function decide(input: DecisionInput, set: PolicySet = defaultPolicySet()): Decision {
  return evaluateSet(input, set, undefined);
}

/** The same decision, with every policy's part in it: not applicable (which filter), false, true, or error. */
export function explainDecision(input: DecisionInput, set: PolicySet = defaultPolicySet()): Explanation {
  const trace: PolicyTrace[] = [];
  return { ...evaluateSet(input, set, trace), trace };
}
