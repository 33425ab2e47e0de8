// Globs for policy match filters, compiled to a RegExp once per policy set. "*" stays inside one
// path segment (a SPIFFE ID's segment, a URL's host label run); "**" crosses segments.

const SPECIAL = /[.+?^${}()|[\]\\]/g;

export function globToRegExp(glob: string): RegExp {
  let re = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') { re += '.*'; i++; } else re += '[^/]*';
    } else re += c.replace(SPECIAL, '\\$&');
  }
  return new RegExp(`^${re}$`);
}

/** A matcher for a list of globs: exact strings by Set lookup, wildcards by one alternation. */
export function globMatcher(globs: readonly string[]): (value: string) => boolean {
  const exact = new Set(globs.filter((g) => !g.includes('*')));
  const wild = globs.filter((g) => g.includes('*'));
  if (wild.length === 0) return (v) => exact.has(v);
  const re = new RegExp(wild.map((g) => globToRegExp(g).source).join('|'));
  return (v) => exact.has(v) || re.test(v);
}
