// The detector contract shared by the engine, the reference scanner and the report client.

export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';

export type DetectorHit = { secret: string; confidence: Confidence; details?: Record<string, unknown> };

export type Detector = {
  id: string;
  title: string;
  severity: Severity;
  /** Lowercase literals for the prefilter: a rule only runs where one of them occurs in the text. */
  keywords: string[];
  /** Global, not sticky. May span lines (PEM blocks). */
  pattern: RegExp;
  /**
   * How far a match can lie from one of the keywords: it starts at most `before` characters before
   * the keyword and ends at most `after` characters after the keyword's start; `sameLine` when the
   * match never spans lines and holds the keyword. The engine runs the regex only that far around
   * keyword hits (widened to whole lines when near), so a tight reach makes a rule cheap; too tight
   * a reach misses secrets. Absent: 8192 either way.
   */
  reach?: { before: number; after: number; sameLine?: boolean };
  /**
   * Confirms a match. `line` is the whole line where the match starts. Some rules also look at
   * `match.input` within NEARBY_CHARS of `match.index` (AWS key pairing, kubeconfig, Twilio), so an
   * engine running the regex on a window must give at least that much context. null = not a secret.
   */
  check(match: RegExpExecArray, line: string): DetectorHit | null;
  /** What to do at the provider when this credential leaks. */
  revocation?: string;
};

export type RawFinding = {
  detector: string;
  line: number;
  column: number;
  secret: string;
  confidence: Confidence;
  severity: Severity;
  details: Record<string, unknown>;
};

/** How far either side of a match a check may look in `match.input`. */
export const NEARBY_CHARS = 4096;
