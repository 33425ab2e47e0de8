// Binding conditions: CEL over the verified token's `claims`, compiled once when a source is
// created, updated or loaded, and evaluated for every token. An evaluation error (a claim the
// expression reads is missing, a type mismatch) is a non-match, never an allow.
import { Environment } from '@marcbachmann/cel-js';
import { invalid } from '../../shared/errors.ts';

export const CONDITION_MAX_LENGTH = 4096;

// Bounded structure: a condition is a short predicate over claims, not a program.
const env = new Environment({ limits: { maxAstNodes: 512, maxDepth: 32, maxListElements: 256, maxMapEntries: 64, maxCallArguments: 8 } })
  .registerVariable('claims', 'map');

export type CompiledCondition = (claims: Record<string, unknown>) => { matched: boolean; reason: string };

/** The CEL library's message without its source excerpt (the caller has the expression). */
function firstLine(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  return (message.split('\n')[0] ?? message).trim().slice(0, 300);
}

/**
 * Compiles a condition; a syntax or type error is refused with the field and the CEL message.
 * The expression must be boolean (or dynamic, e.g. `claims.flag`, checked at evaluation).
 */
export function compileCondition(source: unknown, field: string): CompiledCondition {
  if (typeof source !== 'string' || source.trim() === '') throw invalid(field, 'is required: a CEL expression over claims');
  if (source.length > CONDITION_MAX_LENGTH) throw invalid(field, `must be at most ${CONDITION_MAX_LENGTH} characters`);
  let program: ReturnType<typeof env.parse>;
  try {
    program = env.parse(source);
  } catch (e) {
    throw invalid(field, `CEL does not compile: ${firstLine(e)}`);
  }
  const checked = program.check();
  if (!checked.valid) throw invalid(field, `CEL does not compile: ${firstLine(checked.error)}`);
  if (checked.type !== 'bool' && checked.type !== 'dyn') throw invalid(field, `CEL must be a boolean expression, not ${checked.type}`);
  return (claims) => {
    let value: unknown;
    try {
      value = program({ claims });
    } catch (e) {
      return { matched: false, reason: `condition could not be evaluated (no match): ${firstLine(e)}` };
    }
    if (value === true) return { matched: true, reason: 'condition is true' };
    if (value === false) return { matched: false, reason: 'condition is false' };
    return { matched: false, reason: 'condition did not give a boolean (no match)' };
  };
}
