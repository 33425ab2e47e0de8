import { b64uDecode } from './base64url.ts';

export interface DecodedJws {
  header: Record<string, unknown>;
  payloadBytes: Buffer;
  /** The payload as a JSON object (JWT claims); undefined when it is anything else. */
  payload: Record<string, unknown> | undefined;
  /** ASCII(BASE64URL(header) || '.' || BASE64URL(payload)), what the signature covers. */
  signingInput: Buffer;
  signature: Buffer;
}

export type DecodeResult = { ok: true; jws: DecodedJws } | { ok: false; reason: string };

/** Longest compact JWS accepted: tokens are small, and this bounds the work an attacker can cause. */
export const MAX_JWS_LENGTH = 16 * 1024;

function jsonObject(bytes: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(bytes.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

export interface DecodeJwsOptions {
  /**
   * Accept an empty payload, which RFC 7515 allows but no JWT has. Off by default: every JWT
   * path in Tessera refuses it at the door; the generic JWS verifier (verify-jws-with-jwk.ts)
   * turns it on.
   */
  allowEmptyPayload?: boolean | undefined;
}

/**
 * Parses a JWS in compact serialisation (RFC 7515 §7.1). Only the shape is checked here; the
 * signature is checked by verify-jws.ts, and JWT consumers insist on `payload` being present.
 */
export function decodeJws(token: string, opts: DecodeJwsOptions = {}): DecodeResult {
  if (typeof token !== 'string') return { ok: false, reason: 'not a compact JWS string' };
  if (token.length > MAX_JWS_LENGTH) return { ok: false, reason: 'token is too long' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, reason: 'not a compact JWS (three dot-separated parts)' };
  const [h, p, s] = parts as [string, string, string];
  const headerBytes = b64uDecode(h);
  const payloadBytes = b64uDecode(p);
  const signature = b64uDecode(s);
  if (!headerBytes || !payloadBytes || !signature || h === '' || (p === '' && !opts.allowEmptyPayload) || s === '') {
    return { ok: false, reason: 'a JWS part is empty or not canonical base64url' };
  }
  const header = jsonObject(headerBytes);
  if (!header) return { ok: false, reason: 'JWS header is not a JSON object' };
  const payload = jsonObject(payloadBytes);
  return { ok: true, jws: { header, payloadBytes, payload, signingInput: Buffer.from(`${h}.${p}`, 'ascii'), signature } };
}
