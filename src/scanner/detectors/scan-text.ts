import type { Detector, RawFinding } from './types.ts';

/** 0-based offsets at which each line starts. */
function lineStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}

function lineIndexOf(starts: number[], offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if ((starts[mid] ?? 0) <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/**
 * The reference scanner: every detector over one string, in detector order, then by position.
 * Deliberately simple (whole-text regexes after a keyword check) so the engine can be tested
 * against it: the engine must report the same findings.
 */
export function scanWith(detectors: readonly Detector[], text: string): RawFinding[] {
  const lower = text.toLowerCase();
  let starts: number[] | undefined;
  const out: RawFinding[] = [];
  for (const d of detectors) {
    if (!d.keywords.some((k) => lower.includes(k))) continue;
    const re = new RegExp(d.pattern.source, d.pattern.flags.includes('g') ? d.pattern.flags : d.pattern.flags + 'g');
    for (let m = re.exec(text); m !== null; m = re.exec(text)) {
      if (m[0].length === 0) { re.lastIndex++; continue; }
      starts ??= lineStarts(text);
      const li = lineIndexOf(starts, m.index);
      const ls = starts[li] ?? 0;
      const le = text.indexOf('\n', ls);
      const line = text.slice(ls, le === -1 ? text.length : le).replace(/\r$/, '');
      const hit = d.check(m, line);
      if (hit === null) continue;
      out.push({ detector: d.id, line: li + 1, column: m.index - ls + 1, secret: hit.secret, confidence: hit.confidence, severity: d.severity, details: hit.details ?? {} });
    }
  }
  return out.sort((a, b) => a.line - b.line || a.column - b.column || a.detector.localeCompare(b.detector));
}
