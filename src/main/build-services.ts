import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { systemClock, type Clock } from '../shared/clock.ts';
import { openStore, type Store } from '../store/index.ts';
import { bootstrapAccess } from '../access/index.ts';
import type { Services } from '../http/services.ts';
import { createMetrics } from './metrics.ts';
import { ensureDataDir } from './data-dir.ts';

export function issuerOf(config: Config): string {
  if (config.publicUrl) return config.publicUrl;
  const host = config.listen.host.includes(':') ? `[${config.listen.host}]` : config.listen.host;
  return `${config.tlsCert ? 'https' : 'http'}://${host}:${config.listen.port}`;
}

/** The composition root: the only place that constructs the store, keys and services. */
export async function buildServices(config: Config, logger: Logger, opts: { clock?: Clock; schema?: string } = {}): Promise<Services> {
  const clock = opts.clock ?? systemClock;
  ensureDataDir(config.dataDir);
  const store: Store = await openStore({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, schema: opts.schema, clock });
  try {
    const issuer = issuerOf(config);
    const access = await bootstrapAccess({ config, store, clock, issuer, logger });
    return { config, clock, store, logger, issuer, access, metrics: createMetrics(store) };
  } catch (e) {
    await store.close();
    throw e;
  }
}
