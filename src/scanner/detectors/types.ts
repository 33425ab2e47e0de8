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
