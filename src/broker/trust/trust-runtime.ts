// The trust runtime: what verification and binding need at request time, kept in memory.
// Sources are looked up by issuer and compiled once (CEL conditions, SPIFFE-ID templates);
// changes made through this server take effect at once, changes made by another server sharing
// the database within SOURCE_TTL_MS.
import type { Clock } from '../../shared/clock.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { Identity } from '../../identity/types.ts';
import { compileCondition, type CompiledCondition } from './condition.ts';
import { compileTemplate, type CompiledTemplate } from './template.ts';
import { JwksCache, type JwksOptions } from './jwks-cache.ts';
import type { TrustSourceRepo } from './trust-source-repo.ts';
import type { TrustBinding, TrustSource } from './types.ts';

export const SOURCE_TTL_MS = 5_000;
// Unknown issuers are remembered too (a flood of made-up issuers must not become a flood of
// queries), in a map cleared whenever it grows past this many entries.
const CACHE_MAX = 1_000;

export interface CompiledBinding { binding: TrustBinding; condition: CompiledCondition; template: CompiledTemplate }
export interface CompiledSource { source: TrustSource; bindings: CompiledBinding[] }

export interface TrustStore {
  trustSources: TrustSourceRepo;
  identities: { getBySpiffeId(spiffeId: string): Promise<Identity | undefined> };
  write: UnitOfWork['write'];
}

export interface TrustRuntimeOptions {
  store: TrustStore;
  clock: Clock;
  trustDomain: string;
  jwks?: Partial<JwksOptions> | undefined;
  /** Largest accepted skew between our clock and the issuer's (default 60 s). */
  clockSkewSeconds?: number | undefined;
  /** Largest accepted exp − iat (default 24 h). */
  maxLifetimeSeconds?: number | undefined;
}

export interface TrustRuntime {
  readonly store: TrustStore;
  readonly clock: Clock;
  readonly trustDomain: string;
  readonly keys: JwksCache;
  readonly clockSkewSeconds: number;
  readonly maxLifetimeSeconds: number;
  /** The compiled source whose issuer is exactly `iss`, if any. */
  sourceByIssuer(iss: string): Promise<CompiledSource | undefined>;
  /** The compiled form of a source read from the store. */
  compile(source: TrustSource): CompiledSource;
  /** Forget cached state of a source after a local change. */
  invalidate(source: Pick<TrustSource, 'id' | 'issuer'>): void;
}

/** Compiles a stored source. Stored conditions compiled when written; one failing now is a non-match, not a crash. */
function compileSource(source: TrustSource, trustDomain: string): CompiledSource {
  return {
    source,
    bindings: source.bindings.map((binding) => {
      let condition: CompiledCondition;
      let template: CompiledTemplate;
      try {
        condition = compileCondition(binding.condition, `bindings.${binding.name}.condition`);
      } catch (e) {
        const reason = `condition does not compile (no match): ${(e as Error).message}`;
        condition = () => ({ matched: false, reason });
      }
      try {
        template = compileTemplate(binding.spiffeId, trustDomain, `bindings.${binding.name}.spiffeId`);
      } catch (e) {
        const error = `SPIFFE-ID template is not valid here: ${(e as Error).message}`;
        template = { render: () => ({ error }) };
      }
      return { binding, condition, template };
    }),
  };
}

export function createTrustRuntime(opts: TrustRuntimeOptions): TrustRuntime {
  const byIssuer = new Map<string, { compiled: CompiledSource | undefined; at: number }>();
  const compiledOf = new WeakMap<TrustSource, CompiledSource>();
  const keys = new JwksCache(opts.clock, opts.jwks);

  const compile = (source: TrustSource): CompiledSource => {
    let c = compiledOf.get(source);
    if (!c) { c = compileSource(source, opts.trustDomain); compiledOf.set(source, c); }
    return c;
  };

  return {
    store: opts.store,
    clock: opts.clock,
    trustDomain: opts.trustDomain,
    keys,
    clockSkewSeconds: opts.clockSkewSeconds ?? 60,
    maxLifetimeSeconds: opts.maxLifetimeSeconds ?? 24 * 3600,
    compile,
    async sourceByIssuer(iss) {
      const now = opts.clock.now();
      const hit = byIssuer.get(iss);
      if (hit && now - hit.at < SOURCE_TTL_MS) return hit.compiled;
      const source = await opts.store.trustSources.getByIssuer(iss);
      // Same configuration as before: keep the compiled form (and the JWKS cache keyed on it).
      const compiled = source && hit?.compiled && hit.compiled.source.id === source.id && hit.compiled.source.updatedAt === source.updatedAt
        ? hit.compiled : source ? compile(source) : undefined;
      if (byIssuer.size >= CACHE_MAX) byIssuer.clear();
      byIssuer.set(iss, { compiled, at: now });
      return compiled;
    },
    invalidate(source) {
      byIssuer.delete(source.issuer);
      for (const [iss, v] of byIssuer) if (v.compiled?.source.id === source.id) byIssuer.delete(iss);
      keys.forget(source.id);
    },
  };
}
