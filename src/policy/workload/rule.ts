import type { ContainerRef, Obj, PodTarget } from './pod-spec.ts';
import type { RuleInfo } from './types.ts';

/** Everything a rule may look at; built once per object. */
export interface RuleInput {
  obj: Obj;
  kind: string;
  name: string;
  namespace: string | undefined;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** undefined when the object carries no pod (Secret, Service, …). */
  pod: PodTarget | undefined;
  containers: ContainerRef[];
  environment: string | undefined;
  approvedRegistries: string[];
}

export interface Violation {
  message: string;
  path: string;
}

export interface Rule extends RuleInfo {
  check(input: RuleInput): Violation[];
}
