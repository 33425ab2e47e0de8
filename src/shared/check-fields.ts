// The one check every operation body and nested object goes through: it must be a JSON object,
// and every key must be one the operation knows (the error names the first unknown key, with the
// path it sits under, and lists the known ones).
import { invalid } from './errors.ts';

export function checkFields(value: unknown, known: readonly string[] | ReadonlySet<string>,
  opts: { field?: string; required?: string } = {}): Record<string, unknown> {
  const field = opts.field ?? 'body';
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw invalid(field, opts.required ?? 'must be a JSON object');
  }
  const obj = value as Record<string, unknown>;
  const has = (k: string) => (Array.isArray(known) ? (known as readonly string[]).includes(k) : (known as ReadonlySet<string>).has(k));
  const unknown = Object.keys(obj).find((k) => !has(k));
  if (unknown !== undefined) {
    const path = field === 'body' ? unknown.slice(0, 64) : `${field}.${unknown.slice(0, 64)}`;
    throw invalid(path, `is not a known field (${[...known].join(', ')})`);
  }
  return obj;
}
