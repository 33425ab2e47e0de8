import { exceptionsApplying } from '../exceptions/exceptions-applying.ts';
import { containersOf, isObj, objAt, podTarget, stringMap } from './pod-spec.ts';
import type { RuleInput } from './rule.ts';
import { RULE_SET } from './rules.ts';
import type { CheckOptions, CheckResult, Finding } from './types.ts';

/**
 * Runs every workload rule over one Kubernetes object. Objects of kinds that carry no pod and are
 * not otherwise ruled on (Service, ConfigMap, …) yield no findings. Findings covered by an active
 * exception are kept, marked `excepted` with the exception's name, so reports still show the debt.
 */
export function checkWorkload(obj: unknown, opts: CheckOptions): CheckResult {
  if (!isObj(obj)) return { kind: '', name: '', findings: [] };
  const kind = typeof obj['kind'] === 'string' ? obj['kind'] : '';
  const meta = objAt(obj, 'metadata') ?? {};
  const name = typeof meta['name'] === 'string' ? meta['name'] : typeof meta['generateName'] === 'string' ? meta['generateName'] : '';
  const namespace = typeof meta['namespace'] === 'string' ? meta['namespace'] : undefined;
  const pod = podTarget(obj, kind);
  const input: RuleInput = {
    obj, kind, name, namespace,
    labels: stringMap(meta['labels']),
    annotations: stringMap(meta['annotations']),
    pod,
    containers: pod ? containersOf(pod) : [],
    environment: opts.environment,
    approvedRegistries: opts.approvedRegistries ?? [],
  };
  const findings: Finding[] = [];
  const exceptions = opts.exceptions ?? [];
  for (const rule of RULE_SET) {
    const violations = rule.check(input);
    if (violations.length === 0) continue;
    const mode = opts.modes?.[rule.id] ?? rule.mode;
    const covering = exceptions.length === 0 ? []
      : exceptionsApplying(exceptions, { policy: rule.id, target: { namespace, kind, name } }, opts.now);
    for (const v of violations) {
      const f: Finding = { rule: rule.id, severity: rule.severity, mode, message: v.message, path: v.path };
      if (covering[0]) f.excepted = covering[0].name;
      findings.push(f);
    }
  }
  const result: CheckResult = { kind, name, findings };
  if (namespace !== undefined) result.namespace = namespace;
  return result;
}
