import { invalid } from '../../shared/errors.ts';
import { checkKnownFields, checkObject, parseTime } from '../../identity/guardrails.ts';
import {
  DETECTOR_ID, FINGERPRINT, MAX_FINDINGS, MAX_PATH, MAX_REASON, MAX_SECRET,
  type ReportedFinding, type ScanReportInput,
} from './types.ts';

/** Reports may be a little ahead of the server's clock, not more. */
const SKEW_MS = 60_000;

function checkFinding(value: unknown, i: number): ReportedFinding {
  const at = `findings[${i}]`;
  const f = checkObject(value, at);
  checkKnownFields(f, ['detector', 'secret', 'path', 'line', 'fingerprint']);
  if (typeof f.detector !== 'string' || !DETECTOR_ID.test(f.detector)) throw invalid(`${at}.detector`, 'must be a detector id (lowercase letters, digits, . _ -; at most 64)');
  if (f.secret !== undefined && (typeof f.secret !== 'string' || f.secret.length === 0 || f.secret.length > MAX_SECRET)) {
    throw invalid(`${at}.secret`, `must be a non-empty string of at most ${MAX_SECRET} characters`);
  }
  if (typeof f.path !== 'string' || f.path.length === 0 || f.path.length > MAX_PATH || /[\0-\x1f]/.test(f.path)) {
    throw invalid(`${at}.path`, `must be a non-empty path of at most ${MAX_PATH} characters, without control characters`);
  }
  if (typeof f.line !== 'number' || !Number.isSafeInteger(f.line) || f.line < 1) throw invalid(`${at}.line`, 'must be a positive integer');
  if (typeof f.fingerprint !== 'string' || !FINGERPRINT.test(f.fingerprint)) throw invalid(`${at}.fingerprint`, 'must be 8 to 256 characters of [A-Za-z0-9+/=:._-]');
  return { detector: f.detector, secret: f.secret as string | undefined, path: f.path, line: f.line, fingerprint: f.fingerprint };
}

/** Checks an untrusted report in full before anything is revoked: one bad finding refuses the whole report. */
export function checkReport(input: unknown, now: number): { input: ScanReportInput; detectedAt: number } {
  const body = checkObject(input, 'body');
  checkKnownFields(body, ['findings', 'detectedAt', 'breakGlass']);
  if (!Array.isArray(body.findings)) throw invalid('findings', 'must be a list');
  if (body.findings.length > MAX_FINDINGS) throw invalid('findings', `must hold at most ${MAX_FINDINGS} findings (send several reports)`);
  const findings = body.findings.map(checkFinding);
  let breakGlass: ScanReportInput['breakGlass'];
  if (body.breakGlass !== undefined) {
    const b = checkObject(body.breakGlass, 'breakGlass');
    checkKnownFields(b, ['reason', 'actor']);
    const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
    if (reason === '' || reason.length > MAX_REASON) throw invalid('breakGlass.reason', `must say why, in 1 to ${MAX_REASON} characters`);
    if (b.actor !== undefined && (typeof b.actor !== 'string' || b.actor.length === 0 || b.actor.length > 256)) throw invalid('breakGlass.actor', 'must be 1 to 256 characters');
    breakGlass = { reason, actor: b.actor as string | undefined };
  } else if (findings.length === 0) {
    throw invalid('findings', 'must not be empty');
  }
  let detectedAt = now;
  if (body.detectedAt !== undefined) {
    detectedAt = parseTime(body.detectedAt, 'detectedAt');
    if (detectedAt > now + SKEW_MS) throw invalid('detectedAt', 'must not be in the future: it is when the scanner found the findings');
  }
  return { input: { findings, detectedAt: body.detectedAt as string | number | undefined, breakGlass }, detectedAt };
}
