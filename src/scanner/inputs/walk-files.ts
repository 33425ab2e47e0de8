import { lstat, readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';
import { isIgnored, parseIgnore, type IgnoreRule } from './ignore-rules.ts';
import type { ScanNotice } from '../engine/types.ts';

export interface WalkOptions {
  /** Extra `.gitignore`-style patterns (from --exclude), relative to each scanned root. */
  exclude?: string[];
  /** Honour `.gitignore` files found while walking (default true). */
  gitignore?: boolean;
}

export interface WalkedFile { path: string; display: string; size: number }

/**
 * Lists the regular files under the given paths. Folders are walked with an explicit stack (no
 * recursion limit on depth); symbolic links to files are followed, links to folders are not (so
 * a link loop cannot trap the walk); anything unreadable becomes a notice and the walk goes on.
 */
export async function* walkFiles(paths: string[], opts: WalkOptions, notices: ScanNotice[]): AsyncGenerator<WalkedFile> {
  for (const root of paths) {
    let st;
    try { st = await stat(root); } catch (e) { notices.push({ path: root, kind: 'error', reason: describe(e) }); continue; }
    if (st.isFile()) { yield { path: root, display: toSlash(root), size: st.size }; continue; }
    if (!st.isDirectory()) { notices.push({ path: root, kind: 'skipped', reason: 'not a regular file or folder' }); continue; }
    const extra = opts.exclude?.length ? parseIgnore(opts.exclude.join('\n')) : [];
    const stack: { dir: string; rules: IgnoreRule[] }[] = [{ dir: root, rules: extra }];
    while (stack.length > 0) {
      const { dir, rules: inherited } = stack.pop()!;
      let entries;
      try { entries = await readdir(dir, { withFileTypes: true }); } catch (e) { notices.push({ path: toSlash(dir), kind: 'error', reason: describe(e) }); continue; }
      let rules = inherited;
      const relDir = toSlash(relative(root, dir));
      if (opts.gitignore !== false && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
        try { rules = [...inherited, ...parseIgnore(await readFile(join(dir, '.gitignore'), 'utf8'), relDir)]; } catch (e) { notices.push({ path: toSlash(join(dir, '.gitignore')), kind: 'error', reason: describe(e) }); }
      }
      entries.sort((a, b) => (a.name < b.name ? 1 : -1)); // popped in name order
      // Sizes of the folder's plain files, asked for all at once rather than one by one.
      const sizes = await Promise.all(entries.map((ent) => (ent.isFile() ? lstat(join(dir, ent.name)).then((s) => s.size, (e: unknown) => e) : null)));
      const pending: WalkedFile[] = [];
      for (const [i, ent] of entries.entries()) {
        const full = join(dir, ent.name);
        const rel = relDir === '' ? ent.name : `${relDir}/${ent.name}`;
        if (ent.isDirectory()) {
          if (ent.name === '.git' || isIgnored(rules, rel, true)) continue;
          stack.push({ dir: full, rules });
          continue;
        }
        if (isIgnored(rules, rel, false)) continue;
        let size: number;
        if (ent.isSymbolicLink()) {
          try {
            const target = await stat(full);
            if (!target.isFile()) { notices.push({ path: toSlash(full), kind: 'skipped', reason: 'symbolic link to a folder (not followed)' }); continue; }
            size = target.size;
          } catch (e) { notices.push({ path: toSlash(full), kind: 'error', reason: describe(e) }); continue; }
        } else if (ent.isFile()) {
          const s = sizes[i];
          if (typeof s !== 'number') { notices.push({ path: toSlash(full), kind: 'error', reason: describe(s) }); continue; }
          size = s;
        } else continue; // sockets, fifos, devices: nothing to scan and reading could block
        pending.push({ path: full, display: toSlash(full), size });
      }
      // Files before subfolders' files; subfolders were pushed in reverse name order above.
      pending.reverse();
      yield* pending;
    }
  }
}

export function describe(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'no such file or folder', EACCES: 'permission denied', EPERM: 'permission denied',
    ELOOP: 'symbolic link loop', ENOTDIR: 'a path component is not a folder', EISDIR: 'is a folder',
  };
  return err?.code && why[err.code] ? `${why[err.code]} (${err.code})` : (err?.message ?? String(e));
}

function toSlash(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
