import { createHash, X509Certificate, type JsonWebKey } from 'node:crypto';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { JWT_BEARER_GRANT, jwksOf } from '../../access/index.ts';
import { refreshHintSeconds } from '../../ca/index.ts';
import { ROLES } from '../../shared/context.ts';
import type { Services } from '../services.ts';
import { TOKEN_EXCHANGE_GRANT } from '../../broker/exchange/index.ts';

const PUBLIC = { auth: 'public' } as const;

/** RFC 9110 §13.1.2: does If-None-Match name this entity tag (weak comparison), or "*"? */
function notModified(ifNoneMatch: string | undefined, etag: string): boolean {
  if (ifNoneMatch === undefined) return false;
  return ifNoneMatch.split(',').some((t) => {
    const tag = t.trim();
    return tag === '*' || tag.replace(/^W\//, '') === etag;
  });
}

/**
 * Sends a public, cacheable JSON document with an entity tag: a relying party polling it gets
 * 304 with no body while nothing changed, and is told to re-fetch within maxAge seconds.
 */
function sendCacheable(req: FastifyRequest, reply: FastifyReply, doc: unknown, maxAge: number): FastifyReply {
  const body = JSON.stringify(doc);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 32)}"`;
  reply.header('cache-control', `public, max-age=${maxAge}`).header('etag', etag);
  if (notModified(req.headers['if-none-match'], etag)) return reply.status(304).send();
  return reply.type('application/json; charset=utf-8').send(body);
}

// The public key of a trust anchor, as a JWK: parsed once per certificate.
const anchorJwks = new Map<string, JsonWebKey>();
function anchorJwk(der: Buffer): JsonWebKey {
  const id = der.toString('base64');
  let jwk = anchorJwks.get(id);
  if (!jwk) {
    const j = new X509Certificate(der).publicKey.export({ format: 'jwk' });
    jwk = j.kty === 'RSA' ? { kty: 'RSA', n: j.n!, e: j.e! } : j.kty === 'OKP' ? { kty: 'OKP', crv: j.crv!, x: j.x! } : { kty: j.kty!, crv: j.crv!, x: j.x!, y: j.y! };
    if (anchorJwks.size > 64) anchorJwks.clear();
    anchorJwks.set(id, jwk);
  }
  return jwk;
}

/**
 * Publication: OIDC discovery and RFC 8414 metadata, the JWKS, and the SPIFFE trust bundle.
 * Public by design: relying parties (cloud STS, services, the SDK) fetch them without a token.
 */
export function discoveryRoutes(app: FastifyInstance, s: Services): void {
  const maxAge = refreshHintSeconds(s.config.caTtl, s.config.jwtKeyTtl);

  function metadata(): Record<string, unknown> {
    const algs = [...new Set([s.ca.jwtSigner().alg, ...s.ca.jwtKeys().map((k) => k.alg)])];
    // Endpoints are listed only when this server has them.
    const has = (url: string) => app.hasRoute({ method: 'POST', url });
    return {
      issuer: s.issuer,
      jwks_uri: `${s.issuer}/jwks`,
      token_endpoint: `${s.issuer}/oauth2/token`,
      ...(has('/oauth2/introspect') ? { introspection_endpoint: `${s.issuer}/oauth2/introspect` } : {}),
      ...(has('/oauth2/revoke') ? { revocation_endpoint: `${s.issuer}/oauth2/revoke` } : {}),
      grant_types_supported: [JWT_BEARER_GRANT, TOKEN_EXCHANGE_GRANT],
      // The jwt-bearer grant's assertion is the credential: no separate client authentication.
      token_endpoint_auth_methods_supported: ['none'],
      scopes_supported: [...ROLES],
      // Required by OpenID Connect Discovery; Tessera signs ID-token-shaped JWTs (JWT-SVIDs)
      // and has no authorization endpoint, like other workload identity issuers.
      response_types_supported: ['id_token'],
      subject_types_supported: ['public'],
      id_token_signing_alg_values_supported: algs,
      claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'jti'],
    };
  }

  app.get('/.well-known/openid-configuration', { config: PUBLIC }, async (req, reply) => sendCacheable(req, reply, metadata(), maxAge));
  app.get('/.well-known/oauth-authorization-server', { config: PUBLIC }, async (req, reply) => sendCacheable(req, reply, metadata(), maxAge));

  // Every JWT key relying parties may meet: the signing key, its prepared successor, and retired
  // keys until the last token they signed has expired.
  app.get('/jwks', { config: PUBLIC }, async (req, reply) => sendCacheable(req, reply, jwksOf(s.ca), maxAge));

  // SPIFFE Trust Domain and Bundle §4: X.509 authorities carry x5c (standard base64 DER) and no
  // kid; JWT authorities carry their kid.
  app.get('/.well-known/spiffe-bundle', { config: PUBLIC }, async (req, reply) => sendCacheable(req, reply, {
    keys: [
      ...s.ca.x509Authorities().map((a) => ({ ...anchorJwk(a.certDer), use: 'x509-svid', x5c: [a.certDer.toString('base64')] })),
      ...s.ca.jwtKeys().map((k) => ({ ...k.publicJwk, kid: k.kid, use: 'jwt-svid' })),
    ],
    spiffe_sequence: s.ca.sequence(),
    spiffe_refresh_hint: maxAge,
  }, maxAge));
}
