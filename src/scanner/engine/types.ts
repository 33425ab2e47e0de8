/** The shape the engine needs from a detector: the contract is the detectors' own. */
import type { Confidence, Detector, Severity } from '../detectors/types.ts';
export type { Severity, Confidence } from '../detectors/types.ts';

export type DetectorLike = Pick<Detector, 'id' | 'title' | 'severity' | 'keywords' | 'pattern' | 'reach' | 'check' | 'revocation'>;

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
