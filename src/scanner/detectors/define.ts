import { isHardNegative } from './hard-negatives.ts';
import { NEARBY_CHARS, type Confidence, type Detector, type DetectorHit, type Severity } from './types.ts';

/** The text around a match that a check may consult. */
export function nearby(match: RegExpExecArray, chars = NEARBY_CHARS): string {
  const start = Math.max(0, match.index - chars);
  return match.input.slice(start, match.index + match[0].length + chars);
}

/**
 * The reach of a token rule whose keyword is the token's own prefix: the match starts at the keyword
 * and, being one unbroken run of token characters, stays on its line (long runs are bounded by 1 KiB).
 */
export const PREFIX_REACH = { before: 0, after: 1024, sameLine: true };

type TokenSpec = {
  id: string;
  title: string;
  severity: Severity;
  keywords: string[];
  pattern: RegExp;
  /** How far a match can lie from a keyword (see Detector.reach); default PREFIX_REACH. */
  reach?: { before: number; after: number; sameLine?: boolean };
  revocation?: string;
  confidence?: Confidence;
  /** Which capture group holds the secret (0 = the whole match). */
  group?: number;
  /** Extra confirmation; return false to drop, or a hit to override. */
  confirm?: (secret: string, match: RegExpExecArray, line: string) => boolean | DetectorHit | null;
};

/** A detector for a distinctive token format: the pattern does the work, hard negatives drop look-alikes. */
export function tokenDetector(spec: TokenSpec): Detector {
  return {
    id: spec.id,
    title: spec.title,
    severity: spec.severity,
    keywords: spec.keywords,
    pattern: spec.pattern,
    reach: spec.reach ?? PREFIX_REACH,
    ...(spec.revocation === undefined ? {} : { revocation: spec.revocation }),
    check(match, line) {
      const secret = match[spec.group ?? 0];
      if (secret === undefined || isHardNegative(secret)) return null;
      const confirmed = spec.confirm === undefined ? true : spec.confirm(secret, match, line);
      if (confirmed === false || confirmed === null) return null;
      if (confirmed !== true) return confirmed;
      return { secret, confidence: spec.confidence ?? 'high' };
    },
  };
}
