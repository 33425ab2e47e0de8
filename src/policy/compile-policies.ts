import { Environment } from '@marcbachmann/cel-js';
import { TesseraError } from '../shared/errors.ts';
import type { PolicyAction, PolicyDefinition } from './types.ts';

type Evaluate = (vars: Record<string, unknown>) => unknown;

export interface CompiledPolicy {
  readonly name: string;
  readonly effect: 'allow' | 'deny';
  readonly actions: ReadonlySet<PolicyAction>;
  readonly reason: string;
  readonly evaluate: Evaluate;
}

/** A policy set ready to evaluate: parsed and type-checked once, evaluated per decision. */
export interface PolicySet {
  readonly policies: readonly CompiledPolicy[];
}

// The variables every policy sees. Maps rather than typed messages: claims differ per source,
// and a condition reading a field a subject lacks fails evaluation (and so denies).
const env = new Environment({
  limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerVariable('subject', 'map')
  .registerVariable('audience', 'list<string>')
  .registerVariable('action', 'string')
  .registerVariable('context', 'map');

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;

/** Compiles policies once; a condition that does not parse or is not a bool is refused by name. */
export function compilePolicies(defs: readonly PolicyDefinition[]): PolicySet {
  const seen = new Set<string>();
  const policies = defs.map((d, i): CompiledPolicy => {
    const field = `policies[${i}]`;
    if (!NAME.test(d.name)) throw new TesseraError('ERR_INVALID_INPUT', `${field}.name: must be 1-64 lowercase letters, digits or dashes`, { field: `${field}.name`, rule: 'policy name' });
    if (seen.has(d.name)) throw new TesseraError('ERR_CONFLICT', `${field}.name: policy ${d.name} is defined twice`, { field: `${field}.name`, rule: 'unique' });
    seen.add(d.name);
    if (d.effect !== 'allow' && d.effect !== 'deny') throw new TesseraError('ERR_INVALID_INPUT', `${field}.effect: must be allow or deny`, { field: `${field}.effect`, rule: 'allow | deny' });
    if (d.actions.length === 0) throw new TesseraError('ERR_INVALID_INPUT', `${field}.actions: name at least one action`, { field: `${field}.actions`, rule: 'non-empty' });
    let evaluate: Evaluate;
    try {
      const type = env.check(d.condition);
      if (!type.valid) throw new Error(type.error?.message ?? 'does not type-check');
      if (type.type !== 'bool' && type.type !== 'dyn') throw new Error(`evaluates to ${type.type}, not bool`);
      evaluate = env.parse(d.condition) as unknown as Evaluate;
    } catch (e) {
      throw new TesseraError('ERR_INVALID_INPUT', `${field}.condition (${d.name}): ${(e as Error).message.split('\n')[0]}`,
        { field: `${field}.condition`, rule: 'CEL bool expression' });
    }
    return { name: d.name, effect: d.effect, actions: new Set(d.actions), reason: d.reason, evaluate };
  });
  return { policies };
}
