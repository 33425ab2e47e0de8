import { createServer } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import { checkServerConfig } from '../config/load-config.ts';
import { buildApp } from '../http/app.ts';
import type { Services } from '../http/services.ts';
import { buildServices, closeServices, issuerOf } from './build-services.ts';
import { createLogger } from './logger.ts';
import { ensureDataDir, lockDataDir } from './data-dir.ts';
import { loadTls } from './load-tls.ts';
import type { Clock } from '../shared/clock.ts';
import { TesseraError } from '../shared/errors.ts';

export interface RunningServer {
  url: string;
  services: Services;
  app: FastifyInstance;
  /** Stops accepting, finishes in-flight requests, flushes queued writes, releases the lock. */
  stop(): Promise<void>;
}

/** Port 0 means "any free port": pick it before building, because the issuer URL contains it. */
async function freePort(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, host, () => {
      const port = (srv.address() as { port: number }).port;
      srv.close(() => resolve(port));
    });
  });
}

export async function startServer(config: Config, logger: Logger = createLogger(config.logLevel), opts: { clock?: Clock } = {}): Promise<RunningServer> {
  checkServerConfig(config);
  const https = loadTls(config);
  ensureDataDir(config.dataDir);
  if (config.listen.port === 0) config = { ...config, listen: { ...config.listen, port: await freePort(config.listen.host) } };
  const unlock = lockDataDir(config.dataDir, { listen: issuerOf(config) });
  let services: Services | undefined;
  try {
    services = await buildServices(config, logger, opts.clock ? { clock: opts.clock } : {});
    const { app } = await buildApp(services, https ? { https } : {});
    try {
      await app.listen({ host: config.listen.host, port: config.listen.port });
    } catch (e) {
      await app.close();
      throw new TesseraError('ERR_CONFIG', `config listen: cannot listen on ${config.listen.host}:${config.listen.port}: ${(e as Error).message}`, { field: 'listen', rule: 'address available' });
    }
    const s = services;
    let stopping: Promise<void> | undefined;
    return {
      url: s.issuer, services: s, app,
      stop: () => (stopping ??= (async () => {
        await app.close();
        await closeServices(s);
        unlock();
      })()),
    };
  } catch (e) {
    if (services) await closeServices(services).catch(() => {});
    unlock();
    throw e;
  }
}
