import type { ActiveException } from '../exceptions/types.ts';

export type RuleSeverity = 'high' | 'medium' | 'low';
/** enforce denies admission; warn returns a warning; audit only records. */
export type RuleMode = 'enforce' | 'warn' | 'audit';

export interface RuleInfo {
  id: string;
  title: string;
  description: string;
  severity: RuleSeverity;
  mode: RuleMode;
}

export interface Finding {
  rule: string;
  severity: RuleSeverity;
  mode: RuleMode;
  message: string;
  /** JSON path into the object, e.g. spec.template.spec.containers[0].securityContext.privileged */
  path: string;
  /** Name of the active exception covering this finding; an excepted finding never denies. */
  excepted?: string;
}

export interface CheckOptions {
  /** Environment of the target namespace (e.g. prod) when the object does not say. */
  environment?: string;
  /** Registries images may come from; empty or absent → the registry rule reports nothing. */
  approvedRegistries?: string[];
  exceptions?: ActiveException[];
  /** Per-rule mode overrides (rule id → mode). */
  modes?: Record<string, RuleMode>;
  now: number;
}

export interface CheckResult {
  kind: string;
  name: string;
  namespace?: string;
  findings: Finding[];
}
