import { WHOLE, type KeywordHits } from './keyword-hits.ts';
import type { DetectorLike, RawFinding } from './types.ts';

/** How far either side of a keyword hit a rule looks when it does not say (a PEM block or JWT fits). */
export const DEFAULT_REACH = 8192;
/**
 * A window is widened to start and end on line boundaries when they are within its reach (at least
 * this far): anchored patterns (`^`, `$`) then behave as on the whole text. A longer line is cut
 * instead, so a rule with a short reach stays cheap inside minified code.
 */
const MIN_SLACK = 256;
/** Where a window must be cut inside a long line, this much text is kept either side for `\b` and look-behinds. */
const CONTEXT = 64;

export interface ChunkHit extends RawFinding {
  /** Offset of the match start within the chunk. */
  offset: number;
  lineText: string;
}

/**
 * Runs each detector's regex only in windows around its keyword hits (offsets into `text`), so
 * text with no keyword never meets a regex. A window reaches as far as the rule says a match can
 * lie from its keyword, widened to whole lines when they are near. Each match is handed to the
 * rule's check with `index` and `input` referring to the whole text, exactly as if the regex had
 * run over all of it, so checks that look around the match see the same context. Matches
 * starting at or after `limit` are left for the next chunk (which re-reads that overlap).
 */
export function scanAroundHits(text: string, hits: KeywordHits, detectors: readonly DetectorLike[], limit = text.length): ChunkHit[] {
  const out: ChunkHit[] = [];
  let lineStarts: number[] | undefined;
  for (const d of detectors) {
    const points = hits.get(d);
    if (!points) continue;
    const re = globalCopy(d.pattern);
    for (const [from, to] of windows(text, points, d.reach ?? { before: DEFAULT_REACH, after: DEFAULT_REACH })) {
      const slice = from === 0 && to === text.length ? text : text.slice(from, to);
      re.lastIndex = 0;
      let m: RegExpExecArray | null;
      while ((m = re.exec(slice)) !== null) {
        if (m[0].length === 0) { re.lastIndex++; continue; }
        const offset = from + m.index;
        if (offset >= limit) break;
        m.index = offset;
        m.input = text;
        lineStarts ??= lineIndex(text);
        const lineNo = lineOf(lineStarts, offset);
        const lineStart = lineStarts[lineNo]!;
        const lineEnd = lineNo + 1 < lineStarts.length ? lineStarts[lineNo + 1]! - 1 : text.length;
        const lineText = text.slice(lineStart, lineEnd);
        const verdict = d.check(m, lineText);
        if (!verdict) continue;
        out.push({
          detector: d.id, line: lineNo + 1, column: offset - lineStart + 1, secret: verdict.secret,
          confidence: verdict.confidence, severity: d.severity, offset, lineText,
          ...(verdict.details ? { details: verdict.details } : {}),
        });
      }
    }
  }
  return out.sort((a, b) => a.offset - b.offset || a.detector.localeCompare(b.detector));
}

const globals = new WeakMap<RegExp, RegExp>();

/** The rule's regex with the `g` flag, compiled once per rule rather than once per window. */
function globalCopy(pattern: RegExp): RegExp {
  let re = globals.get(pattern);
  if (!re) {
    re = new RegExp(pattern.source, pattern.flags.includes('g') ? pattern.flags.replace('y', '') : `${pattern.flags.replace('y', '')}g`);
    globals.set(pattern, re);
  }
  return re;
}

type Reach = NonNullable<DetectorLike['reach']>;

/** Merged [from, to) windows around the hits, snapped to line starts and ends when those are near. */
function windows(text: string, points: number[], reach: Reach): [number, number][] {
  if (points.length === 0) return [];
  if (points[0] === WHOLE) return [[0, text.length]];
  points.sort((a, b) => a - b);
  const out: [number, number][] = [];
  for (const p of points) {
    const last = out[out.length - 1];
    // A hit whose reach starts inside the previous window extends it (no line search for its start).
    if (last && p - reach.before <= last[1]) {
      if (p + reach.after > last[1]) last[1] = Math.max(last[1], windowEnd(text, p, reach));
      continue;
    }
    out.push([windowStart(text, p, reach), windowEnd(text, p, reach)]);
  }
  return out;
}

// Newlines are searched in bounded slices: an unbounded search in a megabyte-long line, once per
// hit, would be quadratic.

/** Where the window for a hit at `p` starts: a line start when one is near, else the reach less some context. */
function windowStart(text: string, p: number, reach: Reach): number {
  // On the hit's own line (sameLine) or on the line where the reach begins.
  const at = reach.sameLine ? p : Math.max(0, p - reach.before);
  const lo = Math.max(0, reach.sameLine ? p - reach.before - MIN_SLACK : at - Math.max(MIN_SLACK, reach.before));
  const nl = text.slice(lo, at).lastIndexOf('\n');
  if (nl !== -1) return lo + nl + 1;
  return lo === 0 ? 0 : Math.max(0, p - reach.before - CONTEXT);
}

/** Where the window for a hit at `p` ends: a line end when one is near, else the reach plus some context. */
function windowEnd(text: string, p: number, reach: Reach): number {
  const at = reach.sameLine ? p : Math.min(text.length, p + reach.after);
  const hi = Math.min(text.length, reach.sameLine ? p + reach.after + MIN_SLACK : at + Math.max(MIN_SLACK, reach.after));
  const nl = text.slice(at, hi).indexOf('\n');
  if (nl !== -1) return at + nl;
  return hi === text.length ? hi : Math.min(text.length, p + reach.after + CONTEXT);
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
