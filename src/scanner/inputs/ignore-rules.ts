/**
 * `.gitignore`-style patterns: `#` comments, `!` re-includes, a trailing `/` matches folders only,
 * a pattern with a `/` (other than at the end) is anchored to the folder of its file, `*`, `?`,
 * `[…]` and `**` as in git.
 */
export interface IgnoreRule {
  base: string; // folder the rule is relative to ('' = scan root), forward slashes
  negate: boolean;
  dirOnly: boolean;
  re: RegExp;
}

export function parseIgnore(text: string, base = ''): IgnoreRule[] {
  const rules: IgnoreRule[] = [];
  for (let raw of text.split(/\r?\n/)) {
    raw = raw.replace(/(?<!\\)\s+$/, '');
    if (raw === '' || raw.startsWith('#')) continue;
    let negate = false;
    if (raw.startsWith('!')) { negate = true; raw = raw.slice(1); }
    if (raw.startsWith('\\')) raw = raw.slice(1);
    let dirOnly = false;
    if (raw.endsWith('/')) { dirOnly = true; raw = raw.slice(0, -1); }
    const anchored = raw.includes('/');
    if (raw.startsWith('/')) raw = raw.slice(1);
    if (raw === '') continue;
    const body = globToRegex(raw);
    rules.push({ base, negate, dirOnly, re: new RegExp(anchored ? `^${body}$` : `^(?:.*/)?${body}$`) });
  }
  return rules;
}

/** Whether `rel` (relative to the scan root, forward slashes) is excluded; the last matching rule wins. */
export function isIgnored(rules: readonly IgnoreRule[], rel: string, isDir: boolean): boolean {
  let ignored = false;
  for (const r of rules) {
    if (r.dirOnly && !isDir) continue;
    let sub = rel;
    if (r.base !== '') {
      if (!rel.startsWith(`${r.base}/`)) continue;
      sub = rel.slice(r.base.length + 1);
    }
    if (r.re.test(sub)) ignored = !r.negate;
  }
  return ignored;
}

function globToRegex(glob: string): string {
  let out = '';
  for (let i = 0; i < glob.length; i++) {
    const c = glob[i]!;
    if (c === '*') {
      if (glob[i + 1] === '*') {
        const atStart = i === 0 || glob[i - 1] === '/';
        const atEnd = i + 2 === glob.length;
        if (atStart && glob[i + 2] === '/') { out += '(?:.*/)?'; i += 2; continue; }
        if (atStart && atEnd) { out += '.*'; i += 1; continue; }
        out += '[^/]*'; i += 1; continue;
      }
      out += '[^/]*';
    } else if (c === '?') out += '[^/]';
    else if (c === '[') {
      const close = glob.indexOf(']', i + 1);
      if (close === -1) { out += '\\['; continue; }
      let cls = glob.slice(i + 1, close).replace(/\\/g, '\\\\');
      if (cls.startsWith('!')) cls = `^${cls.slice(1)}`;
      out += `[${cls}]`;
      i = close;
    } else if (c === '\\' && i + 1 < glob.length) { out += escape(glob[i + 1]!); i++; }
    else out += escape(c);
  }
  return out;
}

function escape(c: string): string {
  return /[.+^${}()|[\]\\/]/.test(c) ? `\\${c}` : c;
}
