import { randomUUID, sign, type KeyObject } from 'node:crypto';
import { closeSync, existsSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { ADMIN_KEY_FILE, ADMIN_PRINCIPAL_ID, JWT_BEARER_GRANT, readAdminKey } from '../access/index.ts';
import { TesseraError, type ErrorCode } from '../shared/errors.ts';

export const TOKEN_CACHE_FILE = 'admin-token.json';
/** A cached token is replaced this long before it expires, so a request never starts with a dying token. */
const REFRESH_MARGIN_MS = 30_000;
const ASSERTION_LIFETIME_S = 60;
const TIMEOUT_MS = 10_000;

export interface AdminTokenOptions {
  server: string;
  dataDir: string;
  /** Ignore the cache (the server refused the cached token). */
  refresh?: boolean | undefined;
  now?: (() => number) | undefined;
}

interface Cached { accessToken: string; expiresAt: number; server: string }

function unreachable(server: string, e: unknown): TesseraError {
  const cause = (e as Error & { cause?: Error }).cause?.message ?? (e as Error).message;
  return new TesseraError('ERR_SERVER_UNREACHABLE', `cannot reach the Tessera server at ${server}: ${cause} (set --server or TESSERA_SERVER)`, { field: '--server' });
}

function readCache(path: string, server: string, now: number): string | undefined {
  try {
    // A token readable by others would be a bearer secret on display: ignore such a file.
    if ((statSync(path).mode & 0o077) !== 0) return undefined;
    const c = JSON.parse(readFileSync(path, 'utf8')) as Partial<Cached>;
    if (c.server === server && typeof c.accessToken === 'string' && typeof c.expiresAt === 'number' && c.expiresAt - REFRESH_MARGIN_MS > now) return c.accessToken;
  } catch { /* no usable cache */ }
  return undefined;
}

/** Replaces the cache file atomically; a data folder the CLI cannot write just means no cache. */
function writeCache(path: string, value: Cached): void {
  const tmp = `${path}.${process.pid}.${randomUUID()}.tmp`;
  try {
    const fd = openSync(tmp, 'wx', 0o600);
    try { writeSync(fd, JSON.stringify(value)); } finally { closeSync(fd); }
    renameSync(tmp, path);
  } catch {
    try { unlinkSync(tmp); } catch { /* never created */ }
  }
}

function assertion(key: KeyObject, audiences: string[], now: number): string {
  const iat = Math.floor(now / 1000);
  const enc = (v: unknown) => Buffer.from(JSON.stringify(v)).toString('base64url');
  const input = `${enc({ alg: 'ES256', typ: 'JWT' })}.${enc({
    iss: ADMIN_PRINCIPAL_ID, sub: ADMIN_PRINCIPAL_ID, aud: audiences.length === 1 ? audiences[0] : audiences,
    iat, exp: iat + ASSERTION_LIFETIME_S, jti: randomUUID(),
  })}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

/**
 * The token endpoint the server advertises (RFC 8414), when it does: the server's issuer URL may
 * differ from the address the CLI was given (localhost vs 127.0.0.1, a proxy), and the
 * assertion's audience must name the server as it names itself.
 */
async function advertisedTokenEndpoint(server: string): Promise<string | undefined> {
  try {
    const res = await fetch(`${server}/.well-known/oauth-authorization-server`, { signal: AbortSignal.timeout(TIMEOUT_MS) });
    if (!res.ok) return undefined;
    const doc = (await res.json()) as { token_endpoint?: unknown };
    return typeof doc.token_endpoint === 'string' ? doc.token_endpoint : undefined;
  } catch {
    return undefined;
  }
}

const OAUTH_CODES: Record<string, ErrorCode> = {
  invalid_grant: 'ERR_INVALID_GRANT', invalid_client: 'ERR_INVALID_CLIENT', invalid_request: 'ERR_INVALID_INPUT',
  unsupported_grant_type: 'ERR_UNSUPPORTED_GRANT_TYPE', invalid_scope: 'ERR_INVALID_SCOPE',
};

/**
 * An admin access token for the CLI, with no long-lived bearer secret: signs a 60-second
 * RFC 7523 assertion with <dataDir>/admin.key, exchanges it at POST /oauth2/token, and caches
 * the (minutes-long) token in <dataDir>/admin-token.json (0600) until 30 s before it expires.
 */
export async function getAdminToken(opts: AdminTokenOptions): Promise<string> {
  // Concurrent callers in one process share one exchange instead of each signing their own.
  const key = `${opts.dataDir}\n${opts.server.replace(/\/$/, '')}\n${opts.refresh ? 'refresh' : ''}`;
  let pending = inFlight.get(key);
  if (!pending) {
    pending = fetchAdminToken(opts).finally(() => inFlight.delete(key));
    inFlight.set(key, pending);
  }
  return pending;
}

const inFlight = new Map<string, Promise<string>>();

async function fetchAdminToken(opts: AdminTokenOptions): Promise<string> {
  const server = opts.server.replace(/\/$/, '');
  const now = (opts.now ?? Date.now)();
  const keyPath = join(opts.dataDir, ADMIN_KEY_FILE);
  const cachePath = join(opts.dataDir, TOKEN_CACHE_FILE);
  if (!opts.refresh) {
    const cached = readCache(cachePath, server, now);
    if (cached) return cached;
  }
  if (!existsSync(keyPath)) {
    throw new TesseraError('ERR_INVALID_INPUT',
      `no admin key at ${keyPath}: pass --data (or set TESSERA_DATA) to the server's data folder, where the server created admin.key`,
      { field: '--data', rule: 'admin key file exists' });
  }
  let key: KeyObject;
  try {
    key = readAdminKey(keyPath);
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError('ERR_INVALID_INPUT', `cannot read the admin key ${keyPath}: ${(e as Error).message}`, { field: '--data', rule: 'admin key readable' });
  }

  const tokenEndpoint = `${server}/oauth2/token`;
  const advertised = await advertisedTokenEndpoint(server);
  const audiences = advertised && advertised !== tokenEndpoint ? [tokenEndpoint, advertised] : [tokenEndpoint];
  let res: Response;
  try {
    res = await fetch(tokenEndpoint, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
      body: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion: assertion(key, audiences, now) }).toString(),
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (e) {
    throw unreachable(server, e);
  }
  let body: Record<string, unknown> = {};
  try { body = (await res.json()) as Record<string, unknown>; } catch { /* not JSON */ }
  if (!res.ok) {
    const code = (typeof body.error === 'string' ? OAUTH_CODES[body.error] : undefined) ?? (res.status >= 500 ? 'ERR_INTERNAL' : 'ERR_UNAUTHENTICATED');
    const why = typeof body.error_description === 'string' ? body.error_description : `${res.status} ${res.statusText}`;
    throw new TesseraError(code, `the server at ${server} refused the admin key in ${keyPath}: ${why}`, { status: res.status });
  }
  if (typeof body.access_token !== 'string' || typeof body.expires_in !== 'number') {
    throw new TesseraError('ERR_INTERNAL', `the server at ${server} answered the token request without an access token`, { status: res.status });
  }
  writeCache(cachePath, { accessToken: body.access_token, expiresAt: now + body.expires_in * 1000, server });
  return body.access_token;
}
