// A policy document as written by a person (YAML) or a program (JSON): checked strictly, so a
// typo ("efect", "identites") is refused naming the field instead of silently matching nothing.
import { TesseraError } from '../shared/errors.ts';
import type { PolicyDefinition, PolicyMatch } from './types.ts';

const FIELDS = new Set(['name', 'description', 'owner', 'effect', 'match', 'condition', 'mode']);
const MATCH_FIELDS = new Set(['actions', 'identities', 'audiences']);
const bad = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function text(v: unknown, field: string, max: number, required: boolean): string | undefined {
  if (v === undefined || v === null) { if (required) throw bad(field, 'is required'); return undefined; }
  if (typeof v !== 'string') throw bad(field, 'must be a string');
  if (required && v.trim() === '') throw bad(field, 'must not be empty');
  if (v.length > max) throw bad(field, `must be at most ${max} characters`);
  return v;
}

function globs(v: unknown, field: string): string[] | undefined {
  if (v === undefined) return undefined;
  if (!Array.isArray(v) || v.length === 0) throw bad(field, 'must be a non-empty list of strings');
  if (v.length > 256) throw bad(field, 'must have at most 256 entries');
  return v.map((g, i) => {
    if (typeof g !== 'string' || g.length === 0 || g.length > 2048) throw bad(`${field}[${i}]`, 'must be a non-empty string');
    return g;
  });
}

/** Checks one document; `at` prefixes every field name (e.g. "policies/a.yaml#2"). */
export function parsePolicyDocument(doc: unknown, at = ''): PolicyDefinition {
  const f = (name: string) => (at ? `${at}.${name}` : name);
  if (!isObject(doc)) throw bad(at || 'policy', 'must be an object (name, owner, effect, match, condition, …)');
  for (const k of Object.keys(doc)) if (!FIELDS.has(k)) throw bad(f(k), `unknown field (known: ${[...FIELDS].join(', ')})`);
  const name = text(doc.name, f('name'), 64, true)!;
  if (!/^[a-z0-9][a-z0-9-]{0,63}$/.test(name)) throw bad(f('name'), 'must be lowercase letters, digits and "-"');
  // These are sub-resources of /v1/policies: a policy so named could not be fetched by name.
  if (name === 'status' || name === 'explain') throw bad(f('name'), `"${name}" is reserved`);
  const owner = text(doc.owner, f('owner'), 256, true)!;
  const description = text(doc.description, f('description'), 1024, false);
  if (doc.effect !== 'allow' && doc.effect !== 'deny') throw bad(f('effect'), 'must be allow or deny');
  const condition = text(doc.condition, f('condition'), 8192, true)!;
  if (doc.mode !== undefined && doc.mode !== 'enforce' && doc.mode !== 'warn' && doc.mode !== 'audit') throw bad(f('mode'), 'must be enforce, warn or audit');
  let match: PolicyMatch | undefined;
  if (doc.match !== undefined) {
    if (!isObject(doc.match)) throw bad(f('match'), 'must be an object with actions, identities and/or audiences');
    for (const k of Object.keys(doc.match)) if (!MATCH_FIELDS.has(k)) throw bad(f(`match.${k}`), 'unknown field (known: actions, identities, audiences)');
    match = {};
    const actions = globs(doc.match.actions, f('match.actions'));
    const identities = globs(doc.match.identities, f('match.identities'));
    const audiences = globs(doc.match.audiences, f('match.audiences'));
    if (actions) match.actions = actions;
    if (identities) match.identities = identities;
    if (audiences) match.audiences = audiences;
  }
  const def: PolicyDefinition = { name, owner, effect: doc.effect, condition };
  if (description !== undefined) def.description = description;
  if (match) def.match = match;
  if (doc.mode !== undefined) def.mode = doc.mode;
  return def;
}
