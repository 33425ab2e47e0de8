// SPIFFE-ID templates: `spiffe://<trust domain>/ci/{claims.repository_id}/deploy`. A
// placeholder names one claim and stands for exactly one path segment: the claim's value must be
// a valid segment on its own (no "/", no "." or "..", only [A-Za-z0-9._-]) or the template does
// not resolve, so a crafted claim can never add path segments or climb out of the prefix.
// `{path:claims.x}` opts in to a value spanning several segments ("octo-org/octo-repo"), each
// still a valid segment. Claims are read individually: `sub` is never parsed.
import { invalid } from '../../shared/errors.ts';
import { parseSpiffeId } from '../../shared/spiffe-id.ts';

export const TEMPLATE_MAX_LENGTH = 1024;

const PLACEHOLDER = /\{(path:)?(claims(?:\.[A-Za-z_][A-Za-z0-9_]*|\["[^"\\\]]+"\])+)\}/g;
const STEP = /\.([A-Za-z_][A-Za-z0-9_]*)|\["([^"\\\]]+)"\]/g;
const SEGMENT = /^[A-Za-z0-9._-]+$/;

interface Part { literal: string; path?: string[]; multi?: boolean }

export interface CompiledTemplate {
  /** The SPIFFE ID for these claims, or why there is none. */
  render(claims: Record<string, unknown>): { spiffeId: string } | { error: string };
}

function stepsOf(ref: string): string[] {
  return [...ref.slice('claims'.length).matchAll(STEP)].map((m) => (m[1] ?? m[2])!);
}

function valueAt(claims: Record<string, unknown>, steps: string[]): unknown {
  let v: unknown = claims;
  for (const s of steps) {
    if (v === null || typeof v !== 'object' || Array.isArray(v) || !Object.hasOwn(v, s)) return undefined;
    v = (v as Record<string, unknown>)[s];
  }
  return v;
}

function segmentError(value: string, multi: boolean): string | undefined {
  const segments = multi ? value.split('/') : [value];
  for (const seg of segments) {
    if (seg === '' ) return multi ? 'has an empty path segment' : 'is empty';
    if (seg === '.' || seg === '..') return 'is a "." or ".." segment';
    if (!SEGMENT.test(seg)) return multi ? 'has characters other than letters, digits, ".", "-", "_" and "/"' : 'has characters other than letters, digits, ".", "-" and "_"';
  }
  return undefined;
}

/**
 * Compiles a template: it must be a SPIFFE ID in this trust domain once placeholders are filled
 * with a sample segment, and every brace must be a well-formed placeholder.
 */
export function compileTemplate(template: unknown, trustDomain: string, field: string): CompiledTemplate {
  if (typeof template !== 'string' || template === '') throw invalid(field, 'is required: a SPIFFE ID template');
  if (template.length > TEMPLATE_MAX_LENGTH) throw invalid(field, `must be at most ${TEMPLATE_MAX_LENGTH} characters`);
  const parts: Part[] = [];
  let last = 0;
  for (const m of template.matchAll(PLACEHOLDER)) {
    parts.push({ literal: template.slice(last, m.index) });
    parts.push({ literal: '', path: stepsOf(m[2]!), multi: m[1] !== undefined });
    last = m.index + m[0].length;
  }
  parts.push({ literal: template.slice(last) });
  if (parts.some((p) => /[{}]/.test(p.literal))) {
    throw invalid(field, 'placeholders must be {claims.NAME}, {claims["NAME"].sub} or {path:claims.NAME}');
  }
  const sample = parts.map((p) => (p.path ? 'x' : p.literal)).join('');
  const id = parseSpiffeId(sample, field);
  if (id.trustDomain !== trustDomain) throw invalid(field, `must be in this server's trust domain ${trustDomain}`, 'ERR_TRUST_DOMAIN_MISMATCH');
  if (id.path === '') throw invalid(field, 'must have a path', 'ERR_INVALID_SPIFFE_ID');
  if (!template.startsWith(`spiffe://${trustDomain}/`)) throw invalid(field, 'the trust domain must be literal, not a placeholder');

  // Without placeholders every token renders the same ID: parsed once, here.
  if (parts.length === 1) {
    const fixed = Object.freeze({ spiffeId: id.id });
    return { render: () => fixed };
  }
  return {
    render(claims) {
      let out = '';
      for (const p of parts) {
        out += p.literal;
        if (!p.path) continue;
        const name = `claims${p.path.map((s) => (/^[A-Za-z_][A-Za-z0-9_]*$/.test(s) ? `.${s}` : `["${s}"]`)).join('')}`;
        const raw = valueAt(claims, p.path);
        const value = typeof raw === 'string' ? raw : typeof raw === 'number' && Number.isSafeInteger(raw) ? String(raw) : undefined;
        if (value === undefined) return { error: `${name} is ${raw === undefined ? 'missing' : 'not a string'}` };
        const bad = segmentError(value, p.multi === true);
        if (bad) return { error: `${name} ${bad}: it cannot be used in a SPIFFE ID path` };
        out += value;
      }
      try {
        return { spiffeId: parseSpiffeId(out, 'spiffeId').id };
      } catch (e) {
        return { error: `the resolved SPIFFE ID is not valid: ${(e as Error).message}` };
      }
    },
  };
}
