// JSON Web Tokens: decoded offline so a finding shows who issued it and whether it has expired.
import type { Detector, DetectorHit } from './types.ts';

const JWT = /\beyJ[0-9A-Za-z_-]{8,}\.eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]*/g;

type Decoded = { header: Record<string, unknown>; claims: Record<string, unknown> };

function decodePart(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

export function decodeJwt(token: string): Decoded | null {
  const [h = '', p = ''] = token.split('.');
  const header = decodePart(h);
  const claims = decodePart(p);
  return header === null || claims === null || typeof header.alg !== 'string' ? null : { header, claims };
}

function isKubernetes(claims: Record<string, unknown>): boolean {
  return claims.iss === 'kubernetes/serviceaccount' || typeof claims['kubernetes.io'] === 'object';
}

/** The token from jwt.io's front page and its kin: documentation, not credentials. */
function isDocumentationToken(claims: Record<string, unknown>): boolean {
  return claims.sub === '1234567890' || claims.name === 'John Doe';
}

function describe(token: string, d: Decoded, now: number): DetectorHit {
  const { header, claims } = d;
  const exp = typeof claims.exp === 'number' ? claims.exp * 1000 : undefined;
  const expired = exp !== undefined && exp <= now;
  const unsigned = header.alg === 'none' || token.endsWith('.');
  const details: Record<string, unknown> = { algorithm: header.alg, expired };
  if (typeof claims.iss === 'string') details.issuer = claims.iss;
  if (typeof claims.sub === 'string') details.subject = claims.sub;
  if (claims.aud !== undefined) details.audience = claims.aud;
  if (exp !== undefined) details.expiresAt = new Date(exp).toISOString();
  if (typeof header.kid === 'string') details.keyId = header.kid;
  const k8s = claims['kubernetes.io'] as { namespace?: unknown; serviceaccount?: { name?: unknown } } | undefined;
  const ns = k8s?.namespace ?? claims['kubernetes.io/serviceaccount/namespace'];
  if (typeof ns === 'string') details.namespace = ns;
  return { secret: token, confidence: unsigned ? 'low' : expired ? 'medium' : 'high', details };
}

function jwtDetector(id: string, title: string, wantKubernetes: boolean, revocation: string): Detector {
  return {
    id, title, severity: 'high', keywords: ['eyj'], pattern: JWT, revocation,
    reach: { before: 0, after: 16384, sameLine: true }, // "eyJ" starts the token; tokens with many claims run to kilobytes
    check(match) {
      const d = decodeJwt(match[0]);
      if (d === null || isDocumentationToken(d.claims) || isKubernetes(d.claims) !== wantKubernetes) return null;
      return describe(match[0], d, Date.now());
    },
  };
}

export const JWT_DETECTORS: Detector[] = [
  jwtDetector('kubernetes-service-account-token', 'Kubernetes service-account token', true,
    'Delete the service-account token Secret (or the service account) and rotate the signing key if it is a bound token that must die now.'),
  jwtDetector('jwt', 'JSON Web Token', false,
    'Revoke the token at its issuer (Tessera-issued tokens are revoked by reporting them) and rotate the issuer key if a long-lived token leaked.'),
];
