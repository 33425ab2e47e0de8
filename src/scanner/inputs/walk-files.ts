import { readdirSync, readFileSync, statSync, type Dirent } from 'node:fs';
import { join, sep } from 'node:path';
import { isIgnored, parseIgnore, type IgnoreRule } from './ignore-rules.ts';
import type { ScanNotice } from '../engine/types.ts';

export interface WalkOptions {
  /** Extra `.gitignore`-style patterns (from --exclude), relative to each scanned root. */
  exclude?: string[];
  /** Honour `.gitignore` files found while walking (default true). */
  gitignore?: boolean;
}

export interface WalkedFile { path: string; display: string }

/**
 * Lists the files under the given paths. Folders are walked with an explicit stack (no recursion
 * limit on depth); symbolic links to files are followed, links to folders are not (so a link loop
 * cannot trap the walk); anything unreadable becomes a notice and the walk goes on. Synchronous,
 * one directory read per folder and no per-file stat (the reader's fstat gives the size): walking
 * is then a small part of a scan. Sizes and the size limit are the reader's business.
 */
export function* walkFiles(paths: string[], opts: WalkOptions, notices: ScanNotice[]): Generator<WalkedFile> {
  for (const root of paths) {
    let st;
    try { st = statSync(root); } catch (e) { notices.push({ path: root, kind: 'error', reason: describe(e) }); continue; }
    if (st.isFile()) { yield { path: root, display: toSlash(root) }; continue; }
    if (!st.isDirectory()) { notices.push({ path: root, kind: 'skipped', reason: 'not a regular file or folder' }); continue; }
    const extra = opts.exclude?.length ? parseIgnore(opts.exclude.join('\n')) : [];
    const stack: { dir: string; relDir: string; rules: IgnoreRule[] }[] = [{ dir: root, relDir: '', rules: extra }];
    while (stack.length > 0) {
      const { dir, relDir, rules: inherited } = stack.pop()!;
      let entries: Dirent[];
      try { entries = readdirSync(dir, { withFileTypes: true }); } catch (e) { notices.push({ path: toSlash(dir), kind: 'error', reason: describe(e) }); continue; }
      let rules = inherited;
      if (opts.gitignore !== false && entries.some((e) => e.name === '.gitignore' && e.isFile())) {
        try { rules = [...inherited, ...parseIgnore(readFileSync(join(dir, '.gitignore'), 'utf8'), relDir)]; } catch (e) { notices.push({ path: toSlash(join(dir, '.gitignore')), kind: 'error', reason: describe(e) }); }
      }
      entries.sort((a, b) => (a.name < b.name ? 1 : -1)); // popped in name order
      // Below the root, folders are already normalised: plain concatenation is enough (and cheaper than join).
      const prefix = relDir === '' ? undefined : dir + sep;
      const pending: WalkedFile[] = [];
      for (const ent of entries) {
        const full = prefix === undefined ? join(dir, ent.name) : prefix + ent.name;
        const rel = relDir === '' ? ent.name : `${relDir}/${ent.name}`;
        if (ent.isDirectory()) {
          if (ent.name === '.git' || isIgnored(rules, rel, true)) continue;
          stack.push({ dir: full, relDir: rel, rules });
          continue;
        }
        if (rules.length > 0 && isIgnored(rules, rel, false)) continue;
        if (ent.isSymbolicLink()) {
          try {
            if (!statSync(full).isFile()) { notices.push({ path: toSlash(full), kind: 'skipped', reason: 'symbolic link to a folder (not followed)' }); continue; }
          } catch (e) { notices.push({ path: toSlash(full), kind: 'error', reason: describe(e) }); continue; }
        } else if (!ent.isFile()) continue; // sockets, fifos, devices: nothing to scan and reading could block
        pending.push({ path: full, display: toSlash(full) });
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

/** A path as findings show it: forward slashes on every platform. */
export function toSlash(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}
