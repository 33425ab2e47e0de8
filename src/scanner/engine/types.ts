/** The shape the engine needs from a detector (the detectors folder owns the full list). */
export type Severity = 'critical' | 'high' | 'medium' | 'low';
export type Confidence = 'high' | 'medium' | 'low';

export interface DetectorLike {
  id: string;
  title: string;
  severity: Severity;
  /** Lowercase literals; the rule's regex only runs near one of them. */
  keywords: string[];
  /** Global regex. */
  pattern: RegExp;
  /**
   * How far a match can lie from a keyword occurrence: it starts at most `before` characters before
   * the keyword and ends at most `after` characters after the keyword's start; with `sameLine`, it
   * is also on the keyword's line. The regex only runs that far around each hit (widened to whole
   * lines when near). Absent: 8192 either way.
   */
  reach?: { before: number; after: number; sameLine?: boolean };
  check(match: RegExpExecArray, line: string): { secret: string; confidence: Confidence; details?: Record<string, unknown> } | null;
  revocation?: string;
}

export interface RawFinding {
  detector: string;
  line: number;
  column: number;
  secret: string;
  confidence: Confidence;
  severity: Severity;
  details?: Record<string, unknown>;
}

export interface Finding extends RawFinding {
  path: string;
  fingerprint: string;
  /** The full text of the line the secret starts on (for inline allow comments; never printed). */
  lineText?: string;
  commit?: string;
  author?: string;
  date?: string;
}

/** Something the scan could not read in full; reported, never fatal. */
export interface ScanNotice {
  path: string;
  kind: 'skipped' | 'error';
  reason: string;
}

export interface ScanResult {
  findings: Finding[];
  notices: ScanNotice[];
  filesScanned: number;
  bytesScanned: number;
}
