import { createInterface } from 'node:readline';
import type { Readable } from 'node:stream';

/** The lines one commit (or the index) adds to one file, with their line numbers in the new file. */
export interface AddedBlock {
  commit?: string;
  author?: string;
  date?: string;
  path: string;
  lines: string[];
  lineNumbers: number[];
}

/** Marks a commit header in the `git log` output; NUL cannot occur in git's own text. */
export const COMMIT_FORMAT = '%x00commit %H%x00%an <%ae>%x00%aI';

/**
 * Reads unified diff text (`git log -p -U0` with COMMIT_FORMAT headers, or `git diff --cached`)
 * line by line and yields the added lines of each file of each commit. Nothing but the current
 * block is held in memory; a block that grows very large is yielded in parts.
 */
export async function* parseDiff(input: Readable): AsyncGenerator<AddedBlock> {
  const rl = createInterface({ input, crlfDelay: Infinity });
  let commit: string | undefined, author: string | undefined, date: string | undefined;
  let block: AddedBlock | undefined;
  let path: string | undefined;
  let next = 0;
  let size = 0;
  const take = (): AddedBlock | undefined => {
    const b = block;
    block = undefined; size = 0;
    return b && b.lines.length > 0 ? b : undefined;
  };
  for await (const line of rl) {
    if (line.startsWith('\0commit ')) {
      const b = take(); if (b) yield b;
      const [, c, a, d] = line.split('\0');
      commit = c!.slice('commit '.length); author = a; date = d; path = undefined;
      continue;
    }
    if (line.startsWith('diff --git ')) { const b = take(); if (b) yield b; path = undefined; continue; }
    if (line.startsWith('+++ ')) {
      const target = line.slice(4);
      path = target === '/dev/null' ? undefined : unquote(target).replace(/^b\//, '');
      continue;
    }
    if (line.startsWith('@@ ')) {
      const m = /^@@ -\d+(?:,\d+)? \+(\d+)(?:,\d+)? @@/.exec(line);
      next = m ? Number(m[1]) : 0;
      continue;
    }
    if (path !== undefined && line.startsWith('+')) {
      if (!block) block = { path, lines: [], lineNumbers: [], ...(commit ? { commit, author: author!, date: date! } : {}) };
      block.lines.push(line.slice(1));
      block.lineNumbers.push(next++);
      size += line.length;
      if (size > 8 << 20) { const b = take(); if (b) yield b; }
    } else if (line.startsWith(' ')) next++;
  }
  const b = take(); if (b) yield b;
}

/** git quotes unusual paths C-style ("b/na\303\257ve.txt"); undo that. */
function unquote(p: string): string {
  if (!p.startsWith('"')) return p;
  const bytes: number[] = [];
  const s = p.slice(1, -1);
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c !== '\\') { bytes.push(...Buffer.from(c)); continue; }
    const n = s[++i]!;
    if (/[0-7]/.test(n)) { bytes.push(parseInt(s.slice(i, i + 3), 8)); i += 2; }
    else bytes.push(({ n: 10, t: 9, r: 13, '"': 34, '\\': 92 } as Record<string, number>)[n] ?? n.charCodeAt(0));
  }
  return Buffer.from(bytes).toString('utf8');
}
