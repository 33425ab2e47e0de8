import { join } from 'node:path';
import { failureLimiter } from '../access/failure-limiter.ts';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { openStore, SQLITE_FILE, type Store } from '../store/index.ts';
import { bootstrapAccess, openKek } from '../access/index.ts';
import { startCa } from '../ca/index.ts';
import { startDenyList } from '../revocation/index.ts';
import { createTrustRuntime } from '../broker/trust/index.ts';
import { createDpopRuntime } from '../broker/dpop/index.ts';
import { startPolicyRuntime } from '../policy/policy-runtime.ts';
import { createExceptionRuntime } from '../policy/exceptions/index.ts';
import type { Services } from '../http/services.ts';
import { createMetrics } from './metrics.ts';
import { ensureDataDir } from './data-dir.ts';
import { TesseraError } from '../shared/errors.ts';

export function issuerOf(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${config.listen.port}`;
}

/** Where the store is, for messages: never the URL's user name or password. */
export function describeStore(config: Pick<Config, 'databaseUrl' | 'dataDir'>): string {
  if (!config.databaseUrl) return `the embedded SQLite store ${join(config.dataDir, SQLITE_FILE)}`;
  try {
    const u = new URL(config.databaseUrl);
    return `the PostgreSQL store at ${u.host || 'the default host'}${u.pathname.length > 1 ? u.pathname : ''}`;
  } catch {
    return 'the PostgreSQL store (database URL not parseable)';
  }
}

/** Opens the store; any failure becomes one clear error naming which store could not be opened. */
async function openConfiguredStore(config: Config, schema: string | undefined, clock: Clock): Promise<Store> {
  try {
    return await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema, clock });
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    const reason = (e as Error)?.message || (e as { code?: string })?.code || String(e);
    throw new TesseraError('ERR_STORE_UNAVAILABLE', `cannot open ${describeStore(config)}: ${reason}`,
      { field: config.databaseUrl ? 'databaseUrl' : 'dataDir', rule: 'store reachable' });
  }
}

/** The composition root: the only place that constructs the store, keys and services. */
export async function buildServices(config: Config, logger: Logger, opts: { clock?: Clock; schema?: string } = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  ensureDataDir(config.dataDir);
  const store = await openConfiguredStore(config, opts.schema, clock);
  // Everything started so far is stopped again if a later step fails: a failed start leaves no
  // timer or watcher behind (tests start and stop servers in one process).
  const started: { close(): void }[] = [];
  const keep = <T extends { close(): void }>(x: T): T => { started.push(x); return x; };
  try {
    const issuer = issuerOf(config);
    const ca = keep(await startCa({ config, store, clock, logger, kek: openKek(config.dataDir, process.env, logger) }));
    const access = await bootstrapAccess({ config, store, clock, issuer, logger, ca });
    const revocations = keep(await startDenyList({ repo: store.revocations, clock, logger }));
    const dpop = keep(createDpopRuntime(clock, {}, { store, logger }));
    const trust = createTrustRuntime({ store, clock, trustDomain: config.trustDomain });
    const exceptions = keep(await createExceptionRuntime(store.exceptions, clock));
    const policies = keep(await startPolicyRuntime({ directory: config.policyDir ?? join(config.dataDir, 'policies'), repo: store.policies, clock, logger }));
    const authFailures = failureLimiter({ perMinute: config.authFailuresPerMinute === 0 ? Number.POSITIVE_INFINITY : config.authFailuresPerMinute });
    return { config, clock, store, logger, issuer, access, ca, metrics: createMetrics(store), revocations, dpop, trust, exceptions, policies, authFailures };
  } catch (e) {
    for (const x of started.reverse()) { try { x.close(); } catch { /* already failing: keep the first error */ } }
    await store.close();
    throw e;
  }
}

/** Stops every runtime's timers and watchers, then closes the store (after queued writes commit). */
export async function closeServices(s: Services): Promise<void> {
  s.ca.close();
  s.revocations.close();
  s.dpop.close();
  s.exceptions.close();
  s.policies.close();
  await s.store.close();
}
