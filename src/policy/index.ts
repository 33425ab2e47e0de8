// Policy: CEL-expressed access decisions. decide() is the one entry point; the policy issue adds
// policy files, exceptions and elevation behind it.
export type { Decision, DecisionContext, DecisionInput, DecisionSubject, PolicyAction, PolicyDefinition, SubjectSource } from './types.ts';
export { compilePolicies, type CompiledPolicy, type PolicySet } from './compile-policies.ts';
export { DEFAULT_POLICIES } from './default-policies.ts';
export { decide, defaultPolicySet } from './decide.ts';
