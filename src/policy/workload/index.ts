/**
 * Workload rules over Kubernetes objects: Pod Security Standards "restricted" plus Tessera's
 * identity rules. Pure and synchronous, so the admission webhook and the offline CI check share it.
 */
export { checkWorkload } from './check-workload.ts';
export { RULES } from './rules.ts';
export type { CheckOptions, CheckResult, Finding, RuleInfo, RuleMode, RuleSeverity } from './types.ts';
