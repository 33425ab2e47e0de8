// What AWS STS, GCP Security Token Service and Vault's JWT auth check before they accept a token
// from an external OIDC issuer, written down from their public documentation (cited in
// docs/federation.md). The clouds cannot be reached from the tests, so Tessera's real discovery
// document, JWKS and tokens are run through these checks instead; each check returns the list of
// problems, empty when the consumer would accept.
import * as jose from 'jose';

export interface Published {
  /** GET <issuer>/.well-known/openid-configuration */
  discovery: Record<string, unknown>;
  /** GET <jwks_uri> */
  jwks: { keys: Record<string, unknown>[] };
}

const b = (s: string) => Buffer.byteLength(s, 'utf8');
const audList = (aud: unknown): string[] => (typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud.filter((a): a is string => typeof a === 'string') : []);

function isHttpsUrlWithoutQuery(u: string): boolean {
  try {
    const url = new URL(u);
    return url.protocol === 'https:' && url.search === '' && url.hash === '';
  } catch {
    return false;
  }
}

/** Signature, kid and alg checks every consumer makes, through an independent JOSE library. */
async function verifyWithJwks(p: Published, token: string, algorithms: string[]): Promise<{ problems: string[]; header?: jose.ProtectedHeaderParameters; claims?: jose.JWTPayload }> {
  const header = jose.decodeProtectedHeader(token);
  const problems: string[] = [];
  if (typeof header.kid !== 'string') problems.push('header has no kid');
  else if (!p.jwks.keys.some((k) => k.kid === header.kid)) problems.push(`kid ${header.kid} is not in the JWKS`);
  if (!algorithms.includes(String(header.alg))) problems.push(`alg ${String(header.alg)} is not one of ${algorithms.join(', ')}`);
  try {
    const { payload } = await jose.jwtVerify(token, jose.createLocalJWKSet(p.jwks as jose.JSONWebKeySet), { algorithms });
    return { problems, header, claims: payload };
  } catch (e) {
    problems.push(`signature: ${(e as Error).message}`);
    return { problems, header };
  }
}

function discoveryProblems(p: Published, issuer: string): string[] {
  const problems: string[] = [];
  if (p.discovery.issuer !== issuer) problems.push(`discovery issuer ${String(p.discovery.issuer)} is not ${issuer}`);
  if (typeof p.discovery.jwks_uri !== 'string') problems.push('discovery has no jwks_uri');
  return problems;
}

export interface AwsProvider {
  /** The IAM OIDC provider's URL (CreateOpenIDConnectProvider Url). */
  url: string;
  /** ClientIDList: the audiences the provider accepts. */
  clientIds: string[];
}

/**
 * AWS: CreateOpenIDConnectProvider (Url must begin with https://, no query; it must equal the
 * token's iss) and AssumeRoleWithWebIdentity (WebIdentityToken 4 to 20000 characters, aud one
 * of the ClientIDList, the key by kid in the provider's JWKS; the role trust policy then
 * conditions on `<url without https://>:aud` and `:sub`).
 */
export async function awsProblems(p: Published, token: string, provider: AwsProvider, now: number): Promise<string[]> {
  const problems: string[] = [];
  if (!isHttpsUrlWithoutQuery(provider.url)) problems.push('provider URL must begin with https:// and carry no query or fragment');
  if (provider.url.length > 255) problems.push('provider URL is longer than 255 characters');
  problems.push(...discoveryProblems(p, provider.url));
  if (typeof p.discovery.jwks_uri === 'string' && !isHttpsUrlWithoutQuery(p.discovery.jwks_uri)) problems.push('jwks_uri must be https');
  if (token.length < 4 || token.length > 20000) problems.push('WebIdentityToken must be 4 to 20000 characters');
  const v = await verifyWithJwks(p, token, ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512']);
  problems.push(...v.problems);
  const c = v.claims;
  if (c) {
    if (c.iss !== provider.url) problems.push(`iss ${String(c.iss)} is not the provider URL ${provider.url}`);
    if (!audList(c.aud).some((a) => provider.clientIds.includes(a))) problems.push('aud names none of the provider\'s client IDs');
    if (typeof c.sub !== 'string' || c.sub === '') problems.push('sub is missing');
    if (typeof c.exp !== 'number' || c.exp * 1000 <= now) problems.push('token is expired');
  }
  return problems;
}

export interface GcpProvider {
  /** //iam.googleapis.com/projects/N/locations/global/workloadIdentityPools/P/providers/PR */
  resourceName: string;
  issuerUri: string;
  /** allowedAudiences; when empty the provider's resource name (with or without https:) is the audience. */
  allowedAudiences: string[];
}

/**
 * GCP: the STS ExchangeToken subject_token rules (header kid, alg RS256 or ES256; iss with a
 * discovery document at iss/.well-known/openid-configuration; iat in the past; exp less than 48
 * hours after iat; aud one of the provider's allowed audiences, or its resource name by
 * default) and the attribute mapping limit (google.subject at most 127 bytes).
 */
export async function gcpProblems(p: Published, token: string, provider: GcpProvider, now: number): Promise<string[]> {
  const problems: string[] = [];
  if (!isHttpsUrlWithoutQuery(provider.issuerUri)) problems.push('issuerUri must be an https URL');
  problems.push(...discoveryProblems(p, provider.issuerUri));
  const v = await verifyWithJwks(p, token, ['RS256', 'ES256']);
  problems.push(...v.problems);
  const c = v.claims;
  if (c) {
    if (c.iss !== provider.issuerUri) problems.push(`iss ${String(c.iss)} is not the provider's issuerUri`);
    const allowed = provider.allowedAudiences.length > 0
      ? provider.allowedAudiences
      : [provider.resourceName, `https:${provider.resourceName}`];
    if (!audList(c.aud).some((a) => allowed.includes(a))) problems.push('aud is not one of the provider\'s allowed audiences');
    if (typeof c.iat !== 'number' || c.iat * 1000 > now) problems.push('iat must be in the past');
    if (typeof c.exp !== 'number' || typeof c.iat !== 'number' || c.exp - c.iat >= 48 * 3600) problems.push('exp must be less than 48 hours after iat');
    if (typeof c.sub !== 'string' || b(c.sub) > 127) problems.push('google.subject (mapped from sub) must be at most 127 bytes');
  }
  return problems;
}

export interface VaultJwtConfig {
  /** auth/jwt/config: oidc_discovery_url (the issuer, without .well-known) */
  oidcDiscoveryUrl: string;
  boundIssuer?: string;
  /** auth/jwt/role/<name> */
  role: { role_type: 'jwt'; bound_audiences: string[]; user_claim: string; bound_subject?: string; jwt_supported_algs?: string[] };
}

/**
 * Vault's JWT auth method: with oidc_discovery_url the discovery document's issuer must equal
 * that URL; bound_issuer (when set) must equal iss; a jwt role needs bound_audiences and one must
 * be in aud; user_claim must name a claim present in the token; bound_subject must equal sub.
 */
export async function vaultProblems(p: Published, token: string, cfg: VaultJwtConfig, now: number): Promise<string[]> {
  const problems = discoveryProblems(p, cfg.oidcDiscoveryUrl);
  const v = await verifyWithJwks(p, token, cfg.role.jwt_supported_algs ?? ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512', 'PS256', 'PS384', 'PS512', 'EdDSA']);
  problems.push(...v.problems);
  const c = v.claims;
  if (c) {
    if (cfg.boundIssuer !== undefined && c.iss !== cfg.boundIssuer) problems.push('iss does not match bound_issuer');
    if (cfg.role.bound_audiences.length === 0) problems.push('a jwt role must set bound_audiences');
    else if (!audList(c.aud).some((a) => cfg.role.bound_audiences.includes(a))) problems.push('aud matches none of bound_audiences');
    if (typeof c[cfg.role.user_claim] !== 'string') problems.push(`user_claim ${cfg.role.user_claim} is not a string claim of the token`);
    if (cfg.role.bound_subject !== undefined && c.sub !== cfg.role.bound_subject) problems.push('sub does not match bound_subject');
    if (typeof c.exp !== 'number' || c.exp * 1000 <= now) problems.push('token is expired');
  }
  return problems;
}
