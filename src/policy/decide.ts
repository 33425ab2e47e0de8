// The one access decision. Deny overrides allow; no matching allow denies; a policy whose
// condition cannot be evaluated (a missing claim, a type mismatch) denies: a policy that cannot
// say yes must never be read as one that did not say no.
import { compilePolicies, type PolicySet } from './compile-policies.ts';
import { DEFAULT_POLICIES } from './default-policies.ts';
import type { Decision, DecisionInput } from './types.ts';

let builtIn: PolicySet | undefined;

/** The built-in set, compiled on first use. */
export function defaultPolicySet(): PolicySet {
  return (builtIn ??= compilePolicies(DEFAULT_POLICIES));
}

const firstLine = (e: unknown) => (e instanceof Error ? e.message : String(e)).split('\n')[0]!.slice(0, 200);

/** Decides an action; pure and synchronous (CEL compiled once, evaluated here in microseconds). */
export function decide(input: DecisionInput, set: PolicySet = defaultPolicySet()): Decision {
  // CEL sees time as a timestamp; everything else as given.
  const vars = {
    subject: input.subject,
    audience: input.audience,
    action: input.action,
    context: { ...input.context, time: new Date(input.context.time) },
  };
  const denies: { name: string; reason: string }[] = [];
  const allows: { name: string; reason: string }[] = [];
  for (const p of set.policies) {
    if (!p.actions.has(input.action)) continue;
    let result: unknown;
    try {
      result = p.evaluate(vars);
    } catch (e) {
      denies.push({ name: p.name, reason: `policy ${p.name} could not be evaluated (${firstLine(e)}): denied` });
      continue;
    }
    if (typeof result !== 'boolean') {
      denies.push({ name: p.name, reason: `policy ${p.name} did not evaluate to a bool: denied` });
      continue;
    }
    if (result) (p.effect === 'deny' ? denies : allows).push({ name: p.name, reason: p.reason });
  }
  if (denies.length > 0) return { allow: false, reasons: denies.map((d) => d.reason), policies: denies.map((d) => d.name) };
  if (allows.length > 0) return { allow: true, reasons: allows.map((a) => a.reason), policies: allows.map((a) => a.name) };
  return { allow: false, reasons: [`no policy allows ${input.action} for ${input.subject.spiffeId}`], policies: [] };
}
