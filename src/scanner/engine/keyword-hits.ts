import type { DetectorLike } from './types.ts';

/** Where each detector's keywords occur; a detector without keywords maps to WHOLE (run everywhere). */
export type KeywordHits = Map<DetectorLike, number[]>;

/** Stands for "the whole text" in a detector's hit list. */
export const WHOLE = -1;

/** One compiled alternation of every keyword of a detector list, and which detectors each keyword serves. */
export interface KeywordIndex { re: RegExp; owners: Map<string, DetectorLike[]>; always: DetectorLike[] }
const indexCache = new WeakMap<readonly DetectorLike[], KeywordIndex>();

export function keywordIndex(detectors: readonly DetectorLike[]): KeywordIndex {
  let idx = indexCache.get(detectors);
  if (idx) return idx;
  const owners = new Map<string, DetectorLike[]>();
  const always: DetectorLike[] = [];
  for (const d of detectors) {
    if (d.keywords.length === 0 || d.keywords.some((k) => k === '')) { always.push(d); continue; }
    for (const k of new Set(d.keywords.map((x) => x.toLowerCase()))) owners.set(k, [...(owners.get(k) ?? []), d]);
  }
  // The alternation reports one keyword per position (the longest); it also stands for every
  // keyword that is a prefix of it, so those detectors see the position too.
  const keys = [...owners.keys()];
  for (const k of keys) {
    const extra = keys.filter((o) => o !== k && k.startsWith(o)).flatMap((o) => owners.get(o)!);
    if (extra.length) owners.set(k, [...new Set([...owners.get(k)!, ...extra])]);
  }
  // Longest first so a keyword that is a prefix of another does not hide it at the same place.
  // Case-sensitive over lowercased text: measured ~1.5× faster than the same alternation with `i`.
  const alts = [...owners.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  idx = { re: new RegExp(alts.length ? alts.join('|') : '(?!)', 'g'), owners, always };
  indexCache.set(detectors, idx);
  return idx;
}

/**
 * The prefilter: one pass of a keyword alternation over `lower` (the text lowercased, same length
 * and offsets as the text) finds every keyword occurrence, grouped by detector. `lower` may be a
 * latin1 view of raw bytes: keywords are ASCII, so offsets are then byte offsets.
 */
export function keywordHits(lower: string, detectors: readonly DetectorLike[]): KeywordHits {
  const idx = keywordIndex(detectors);
  const out: KeywordHits = new Map();
  for (const d of idx.always) out.set(d, [WHOLE]);
  const re = new RegExp(idx.re.source, 'g');
  let m: RegExpExecArray | null;
  while ((m = re.exec(lower)) !== null) {
    for (const d of idx.owners.get(m[0]) ?? []) {
      const list = out.get(d);
      if (list) list.push(m.index); else out.set(d, [m.index]);
    }
    // Keywords may overlap ("access_key" inside "secret_access_key"): look again one character on.
    re.lastIndex = m.index + 1;
  }
  return out;
}

/**
 * The same for text whose lowercase form has other offsets (a few non-Latin-1 letters lowercase to
 * two characters): a case-insensitive pass over the text itself. Slower, and rarely needed.
 */
export function keywordHitsIgnoringCase(text: string, detectors: readonly DetectorLike[]): KeywordHits {
  const idx = keywordIndex(detectors);
  const out: KeywordHits = new Map();
  for (const d of idx.always) out.set(d, [WHOLE]);
  const re = new RegExp(idx.re.source, 'gi');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    for (const d of idx.owners.get(m[0].toLowerCase()) ?? []) {
      const list = out.get(d);
      if (list) list.push(m.index); else out.set(d, [m.index]);
    }
    re.lastIndex = m.index + 1;
  }
  return out;
}
