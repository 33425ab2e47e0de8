import { Environment } from '@marcbachmann/cel-js';
import { TesseraError } from '../shared/errors.ts';
import { globMatcher } from './glob.ts';
import type { PolicyDefinition, PolicyMode } from './types.ts';

type Evaluate = (vars: Record<string, unknown>) => unknown;
type Matcher = (value: string) => boolean;

export interface CompiledPolicy {
  readonly name: string;
  readonly effect: 'allow' | 'deny';
  readonly mode: PolicyMode;
  /** 'built-in', 'store', or the file it came from */
  readonly source: string;
  readonly reason: string;
  readonly definition: PolicyDefinition;
  /** undefined: the filter is absent (matches everything) */
  readonly actions: Matcher | undefined;
  readonly identities: Matcher | undefined;
  readonly audiences: Matcher | undefined;
  readonly evaluate: Evaluate;
}

/** A policy set ready to evaluate: parsed and type-checked once, evaluated per decision. */
export interface PolicySet {
  readonly policies: readonly CompiledPolicy[];
  /** The policies whose action filter admits the action (cached per action: the set is immutable). */
  forAction(action: string): readonly CompiledPolicy[];
}

// The variables every policy sees. Maps rather than typed messages: claims differ per source,
// and a condition reading a field a subject lacks fails evaluation (and so denies).
const env = new Environment({
  limits: { maxAstNodes: 2000, maxDepth: 50, maxListElements: 256, maxMapEntries: 256, maxCallArguments: 16 },
})
  .registerVariable('subject', 'map')
  .registerVariable('resource', 'map')
  .registerVariable('audience', 'list<string>')
  .registerVariable('action', 'string')
  .registerVariable('context', 'map');

const NAME = /^[a-z0-9][a-z0-9-]{0,63}$/;
const MODES: readonly string[] = ['enforce', 'warn', 'audit'];

/** Compiles one CEL condition; the message names the policy and gives CEL's own words. */
export function compileCondition(condition: string, policy: string, field: string): Evaluate {
  try {
    // Checking the parsed expression (not a second parse) leaves its type on the AST, so each
    // evaluation skips the runtime type check: a large part of the per-decision cost.
    const parsed = env.parse(condition) as unknown as Evaluate & { check(): { valid: boolean; type?: string; error?: Error } };
    const type = parsed.check();
    if (!type.valid) throw new Error(type.error?.message ?? 'does not type-check');
    if (type.type !== 'bool' && type.type !== 'dyn') throw new Error(`evaluates to ${type.type}, not bool`);
    return parsed;
  } catch (e) {
    throw new TesseraError('ERR_INVALID_INPUT', `${field} (${policy}): ${(e as Error).message.split('\n')[0]}`,
      { field, rule: 'CEL bool expression', policy });
  }
}

function matcherOf(globs: readonly string[] | undefined, field: string): Matcher | undefined {
  if (globs === undefined) return undefined;
  if (globs.length === 0) throw new TesseraError('ERR_INVALID_INPUT', `${field}: name at least one, or leave the filter out`, { field, rule: 'non-empty' });
  return globMatcher(globs);
}

/**
 * Compiles policies once; a condition that does not parse or is not a bool is refused by name.
 * `sources[i]` says where definition i came from (for messages and explanations).
 */
export function compilePolicies(defs: readonly PolicyDefinition[], sources?: readonly string[]): PolicySet {
  const seen = new Map<string, string>();
  const policies = defs.map((d, i): CompiledPolicy => {
    const field = `policies[${i}]`;
    const source = sources?.[i] ?? 'built-in';
    if (typeof d.name !== 'string' || !NAME.test(d.name)) throw new TesseraError('ERR_INVALID_INPUT', `${field}.name: must be 1-64 lowercase letters, digits or dashes`, { field: `${field}.name`, rule: 'policy name' });
    const other = seen.get(d.name);
    if (other !== undefined) {
      const where = other === source ? `in ${source}` : `in ${other} and in ${source}`;
      throw new TesseraError('ERR_CONFLICT', `${field}.name: policy ${d.name} is defined twice (${where}); names are unique across built-in, directory and stored policies`,
        { field: `${field}.name`, rule: 'unique', policy: d.name });
    }
    seen.set(d.name, source);
    if (d.effect !== 'allow' && d.effect !== 'deny') throw new TesseraError('ERR_INVALID_INPUT', `${field}.effect (${d.name}): must be allow or deny`, { field: `${field}.effect`, rule: 'allow | deny' });
    const mode = d.mode ?? 'enforce';
    if (!MODES.includes(mode)) throw new TesseraError('ERR_INVALID_INPUT', `${field}.mode (${d.name}): must be enforce, warn or audit`, { field: `${field}.mode`, rule: 'enforce | warn | audit' });
    if (d.actions !== undefined && d.match?.actions !== undefined) throw new TesseraError('ERR_INVALID_INPUT', `${field}.actions (${d.name}): give match.actions or actions, not both`, { field: `${field}.actions`, rule: 'one of' });
    const actionGlobs = d.match?.actions ?? d.actions;
    return {
      name: d.name, effect: d.effect, mode, source, definition: d,
      reason: d.reason ?? (d.description || `policy ${d.name}`),
      actions: matcherOf(actionGlobs, d.actions !== undefined ? `${field}.actions` : `${field}.match.actions`),
      identities: matcherOf(d.match?.identities, `${field}.match.identities`),
      audiences: matcherOf(d.match?.audiences, `${field}.match.audiences`),
      evaluate: compileCondition(d.condition, d.name, `${field}.condition`),
    };
  });
  const byAction = new Map<string, readonly CompiledPolicy[]>();
  return {
    policies,
    forAction(action) {
      let hit = byAction.get(action);
      if (hit === undefined) {
        hit = policies.filter((p) => p.actions === undefined || p.actions(action));
        // Bounded: callers name few distinct actions, but an unbounded cache keyed by input is a leak.
        if (byAction.size < 256) byAction.set(action, hit);
      }
      return hit;
    },
  };
}
