import { createHash } from 'node:crypto';

/** RFC 8705 §3.1 `x5t#S256`: base64url(SHA-256(DER certificate)). */
export function x5tS256(certDer: Uint8Array): string {
  return createHash('sha256').update(certDer).digest('base64url');
}
