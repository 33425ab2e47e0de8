import type { DetectorLike, RawFinding } from './types.ts';

/** How far around a keyword hit a rule's regex looks (a PEM block or JWT fits well inside). */
const WINDOW = 8192;

export interface ChunkHit extends RawFinding {
  /** Offset of the match start within the chunk. */
  offset: number;
  lineText: string;
}

/**
 * Runs the detectors over one chunk of text. A cheap literal prefilter (case-insensitive) finds where each rule's keywords occur; the rule's regex then runs only on windows around
 * those hits, so most text never meets a regex. Matches starting at or after `limit` are left
 * for the next chunk (which re-reads that overlap with more context).
 */
export function scanChunk(text: string, detectors: readonly DetectorLike[], limit = text.length): ChunkHit[] {
  const hits: ChunkHit[] = [];
  let lineStarts: number[] | undefined;
  const positions = keywordPositions(text, detectors);
  for (const d of detectors) {
    const points = positions.get(d);
    if (!points) continue;
    const windows = keywordWindows(text, points);
    const seen = new Set<number>();
    for (const [from, to] of windows) {
      const re = new RegExp(d.pattern.source, d.pattern.flags.includes('g') ? d.pattern.flags : `${d.pattern.flags}g`);
      const slice = text.slice(from, to);
      let m: RegExpExecArray | null;
      while ((m = re.exec(slice)) !== null) {
        if (m[0].length === 0) { re.lastIndex++; continue; }
        const offset = from + m.index;
        if (offset >= limit || seen.has(offset)) continue;
        seen.add(offset);
        lineStarts ??= lineIndex(text);
        const lineNo = lineOf(lineStarts, offset);
        const lineStart = lineStarts[lineNo]!;
        const lineEnd = lineNo + 1 < lineStarts.length ? lineStarts[lineNo + 1]! - 1 : text.length;
        const lineText = text.slice(lineStart, lineEnd);
        const verdict = d.check(m, lineText);
        if (!verdict) continue;
        hits.push({
          detector: d.id, line: lineNo + 1, column: offset - lineStart + 1, secret: verdict.secret,
          confidence: verdict.confidence, severity: d.severity, offset, lineText,
          ...(verdict.details ? { details: verdict.details } : {}),
        });
      }
    }
  }
  return hits.sort((a, b) => a.offset - b.offset || a.detector.localeCompare(b.detector));
}

/** A detector without keywords runs on the whole text. */
const WHOLE = -1;

/** One compiled alternation of every keyword of a detector list, and which detectors each keyword serves. */
interface KeywordIndex { re: RegExp; owners: Map<string, DetectorLike[]>; always: DetectorLike[] }
const indexCache = new WeakMap<readonly DetectorLike[], KeywordIndex>();

function keywordIndex(detectors: readonly DetectorLike[]): KeywordIndex {
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
  const alts = [...owners.keys()].sort((a, b) => b.length - a.length).map((k) => k.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'));
  idx = { re: new RegExp(alts.length ? alts.join('|') : '(?!)', 'g'), owners, always };
  indexCache.set(detectors, idx);
  return idx;
}

/**
 * The prefilter: one case-insensitive pass over the text finds every keyword occurrence (one regex
 * alternation rather than a search per keyword) and groups the positions by detector.
 */
function keywordPositions(text: string, detectors: readonly DetectorLike[]): Map<DetectorLike, number[]> {
  const idx = keywordIndex(detectors);
  const out = new Map<DetectorLike, number[]>();
  for (const d of idx.always) out.set(d, [WHOLE]);
  const re = new RegExp(idx.re.source, 'gi');
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) !== null) {
    for (const d of idx.owners.get(m[0].toLowerCase()) ?? []) {
      const list = out.get(d);
      if (list) list.push(m.index); else out.set(d, [m.index]);
    }
    // Keywords may overlap ("secret" inside "client_secret"): look again one character on.
    re.lastIndex = m.index + 1;
  }
  return out;
}

/** Merged [from, to) windows around keyword positions, snapped to line starts and ends. */
function keywordWindows(text: string, points: number[]): [number, number][] {
  if (points.length === 0) return [];
  if (points[0] === WHOLE) return [[0, text.length]];
  points.sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const p of points) {
    // Start at a line start at least WINDOW before the hit when one is near: anchored patterns
    // behave as on whole text, and checks that look around the match (NEARBY_CHARS) have context.
    let from = Math.max(0, p - WINDOW);
    const nl = from === 0 ? -1 : text.lastIndexOf('\n', from);
    if (from > 0 && nl !== -1 && from - nl < WINDOW) from = nl + 1;
    // End at a line end when one is near, so a match is never cut short by the window.
    let to = Math.min(text.length, p + WINDOW);
    const end = text.indexOf('\n', to);
    if (end !== -1 && end - to < WINDOW) to = end; else if (end === -1 && text.length - to < WINDOW) to = text.length;
    const last = out[out.length - 1];
    if (last && from <= last[1]) last[1] = Math.max(last[1], to);
    else out.push([from, to]);
  }
  return out;
}

function lineIndex(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineOf(starts: number[], offset: number): number {
  let lo = 0, hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid; else hi = mid - 1;
  }
  return lo;
}
