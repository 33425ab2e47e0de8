// The keys of each trust source, cached. Verification never waits on the network when it can
// avoid it: keys are served from memory, refreshed after their TTL in the background, refetched
// on an unknown kid at most once per interval (a flood of made-up kids costs one fetch), and keys
// that vanish from a new fetch stay valid for a grace period so a rotation never fails a token
// signed just before it. An unreachable endpoint leaves the cached keys in use.
import { readFile } from 'node:fs/promises';
import { verifierKeyFromJwk, type VerifierKey } from '../../ca/verifier-key.ts';
import type { Clock } from '../../shared/clock.ts';
import { checkUrl, isPlainObject } from './guardrails.ts';
import type { TrustSource } from './types.ts';

export interface JwksOptions {
  /** Least time between two fetches for an unknown kid (or after a failure). */
  minRefetchIntervalMs: number;
  /** TTL when the response has no usable Cache-Control max-age. */
  defaultTtlMs: number;
  minTtlMs: number;
  maxTtlMs: number;
  /** How long keys dropped from the JWKS keep verifying. */
  graceMs: number;
  timeoutMs: number;
  maxBytes: number;
}

export const JWKS_DEFAULTS: JwksOptions = {
  minRefetchIntervalMs: 10_000, defaultTtlMs: 5 * 60_000, minTtlMs: 60_000, maxTtlMs: 60 * 60_000,
  graceMs: 15 * 60_000, timeoutMs: 3_000, maxBytes: 256 * 1024,
};

const MAX_KEYS = 100;

export interface SourceKey extends VerifierKey { kid: string | undefined }

interface State {
  keys: SourceKey[] | undefined;
  previous: { keys: SourceKey[]; until: number } | undefined;
  expiresAt: number;
  lastAttempt: number;
  lastError: string | undefined;
  jwksUri: string | undefined;
  inflight: Promise<void> | undefined;
}

export type KeyLookup = { keys: SourceKey[] } | { error: string };

/** Reads at most max bytes of a response body; more is an error, not a truncation. */
async function boundedText(res: Response, max: number): Promise<string> {
  const declared = Number(res.headers.get('content-length') ?? '0');
  if (declared > max) throw new Error(`response larger than ${max} bytes`);
  if (!res.body) return '';
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > max) throw new Error(`response larger than ${max} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

async function getJson(url: string, opts: JwksOptions): Promise<{ body: unknown; maxAgeMs: number | undefined }> {
  let res: Response;
  try {
    res = await fetch(url, { signal: AbortSignal.timeout(opts.timeoutMs), redirect: 'error', headers: { accept: 'application/json' } });
  } catch (e) {
    const name = (e as Error)?.name;
    throw new Error(name === 'TimeoutError' ? `${url} did not answer within ${opts.timeoutMs} ms` : `${url} is unreachable`);
  }
  if (res.status !== 200) { await res.body?.cancel(); throw new Error(`${url} answered HTTP ${res.status}`); }
  const text = await boundedText(res, opts.maxBytes);
  let body: unknown;
  try { body = JSON.parse(text); } catch { throw new Error(`${url} did not return JSON`); }
  const cc = res.headers.get('cache-control') ?? '';
  const m = /(?:^|[,\s])max-age=(\d+)/i.exec(cc);
  const maxAgeMs = /no-store|no-cache/i.test(cc) ? 0 : m ? Number(m[1]) * 1000 : undefined;
  return { body, maxAgeMs };
}

/** Keys Tessera can verify with for this source; others (encryption keys, other types) are skipped. */
export function keysOf(jwks: unknown, source: Pick<TrustSource, 'algorithms'>): SourceKey[] {
  if (!isPlainObject(jwks) || !Array.isArray(jwks.keys)) throw new Error('the JWKS has no "keys" list');
  const out: SourceKey[] = [];
  for (const k of jwks.keys.slice(0, MAX_KEYS)) {
    if (!isPlainObject(k)) continue;
    try {
      const vk = verifierKeyFromJwk(k, 'jwk', { allowRsa: true });
      if (!source.algorithms.includes(vk.alg as TrustSource['algorithms'][number])) continue;
      out.push({ ...vk, kid: typeof k.kid === 'string' ? k.kid : undefined });
    } catch { /* a key we cannot use does not spoil the others */ }
  }
  return out;
}

export class JwksCache {
  readonly #states = new Map<string, State>();
  readonly #clock: Clock;
  readonly #opts: JwksOptions;

  constructor(clock: Clock, opts: Partial<JwksOptions> = {}) {
    this.#clock = clock;
    this.#opts = { ...JWKS_DEFAULTS, ...opts };
  }

  /** Drops everything known about a source (its configuration changed or it was removed). */
  forget(sourceId: string): void {
    for (const k of this.#states.keys()) if (k.startsWith(`${sourceId}@`)) this.#states.delete(k);
  }

  /** The keys that may have signed a token with this kid (undefined kid: every key). */
  async lookup(source: TrustSource, kid: string | undefined): Promise<KeyLookup> {
    const key = `${source.id}@${source.updatedAt}`;
    let st = this.#states.get(key);
    if (!st) {
      this.forget(source.id);
      st = { keys: undefined, previous: undefined, expiresAt: 0, lastAttempt: -Infinity, lastError: undefined, jwksUri: undefined, inflight: undefined };
      this.#states.set(key, st);
    }
    const now = this.#clock.now();
    const canFetch = now - st.lastAttempt >= this.#opts.minRefetchIntervalMs;
    if (!st.keys) {
      if (canFetch || st.inflight) await this.#refresh(source, st);
    } else if (now >= st.expiresAt && canFetch && !st.inflight) {
      // Stale: keep serving the cached keys while a fresh copy is fetched.
      void this.#refresh(source, st);
    }
    if (!st.keys) return { error: `could not fetch keys for source ${source.name}${st.lastError ? `: ${st.lastError}` : ''}` };
    let found = this.#find(st, kid);
    if (found.length === 0 && kid !== undefined && (st.inflight || this.#clock.now() - st.lastAttempt >= this.#opts.minRefetchIntervalMs)) {
      await this.#refresh(source, st);
      found = this.#find(st, kid);
    }
    if (found.length === 0) return { error: kid === undefined ? `source ${source.name} has no key for this token` : `unknown kid for source ${source.name}` };
    return { keys: found };
  }

  #find(st: State, kid: string | undefined): SourceKey[] {
    const match = (k: SourceKey) => kid === undefined || k.kid === kid;
    const current = (st.keys ?? []).filter(match);
    if (current.length > 0 || !st.previous || this.#clock.now() >= st.previous.until) return current;
    return st.previous.keys.filter(match);
  }

  /** One fetch at a time per source; concurrent callers share it. Never throws. */
  #refresh(source: TrustSource, st: State): Promise<void> {
    if (st.inflight) return st.inflight;
    st.lastAttempt = this.#clock.now();
    st.inflight = this.#load(source, st).then((r) => {
      const now = this.#clock.now();
      const old = st.keys ?? [];
      const kept = old.filter((k) => !r.keys.some((n) => n.thumbprint === k.thumbprint && n.kid === k.kid));
      if (kept.length > 0) st.previous = { keys: kept, until: now + this.#opts.graceMs };
      st.keys = r.keys;
      const ttl = r.maxAgeMs ?? this.#opts.defaultTtlMs;
      st.expiresAt = now + Math.min(this.#opts.maxTtlMs, Math.max(this.#opts.minTtlMs, ttl));
      st.lastError = undefined;
    }, (e: unknown) => {
      st.lastError = (e as Error)?.message ?? String(e);
      st.jwksUri = undefined;
    }).finally(() => { st.inflight = undefined; });
    return st.inflight;
  }

  async #load(source: TrustSource, st: State): Promise<{ keys: SourceKey[]; maxAgeMs: number | undefined }> {
    if (source.jwks) return { keys: keysOf(source.jwks, source), maxAgeMs: this.#opts.maxTtlMs };
    if (source.jwksFile) {
      let text: string;
      try { text = await readFile(source.jwksFile, 'utf8'); } catch { throw new Error(`cannot read the JWKS file ${source.jwksFile}`); }
      let body: unknown;
      try { body = JSON.parse(text); } catch { throw new Error(`the JWKS file ${source.jwksFile} is not JSON`); }
      return { keys: keysOf(body, source), maxAgeMs: undefined };
    }
    if (!st.jwksUri) st.jwksUri = source.jwksUri ?? await this.#discover(source);
    const { body, maxAgeMs } = await getJson(st.jwksUri, this.#opts);
    return { keys: keysOf(body, source), maxAgeMs };
  }

  /** OpenID Connect Discovery 1.0 §4: the document must name this exact issuer. */
  async #discover(source: TrustSource): Promise<string> {
    const url = `${source.issuer.replace(/\/$/, '')}/.well-known/openid-configuration`;
    const { body } = await getJson(url, this.#opts);
    if (!isPlainObject(body)) throw new Error(`${url} is not a discovery document`);
    if (body.issuer !== source.issuer) throw new Error(`the discovery document names issuer ${JSON.stringify(String(body.issuer).slice(0, 200))}, not ${source.issuer}`);
    try {
      return checkUrl(body.jwks_uri, 'jwks_uri');
    } catch {
      throw new Error(`the discovery document's jwks_uri is not an https URL`);
    }
  }
}
