// Policy: CEL-expressed access decisions. decide() is the one entry point; policy documents come
// from the built-in set, a directory and the store, hot-reloaded by the policy runtime.
export type {
  Decision, DecisionContext, DecisionException, DecisionInput, DecisionNote, DecisionSubject, Explanation,
  PolicyAction, PolicyDefinition, PolicyMatch, PolicyMode, PolicyTrace, SubjectSource,
} from './types.ts';
export { compilePolicies, compileCondition, type CompiledPolicy, type PolicySet } from './compile-policies.ts';
export { DEFAULT_POLICIES } from './default-policies.ts';
export { decide, defaultPolicySet, explainDecision } from './decide.ts';
