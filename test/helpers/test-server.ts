import { chmodSync, copyFileSync, existsSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { randomBytes, generateKeyPairSync } from 'node:crypto';
import { calculateJwkThumbprint, type JWK } from 'jose';
import type { FastifyInstance } from 'fastify';
import { DEFAULTS, type Config } from '../../src/config/schema.ts';
import { buildServices, closeServices } from '../../src/main/build-services.ts';
import { startServer } from '../../src/main/start-server.ts';
import { createLogger } from '../../src/main/logger.ts';
import { buildApp, type RouteInfo } from '../../src/http/app.ts';
import type { Services } from '../../src/http/services.ts';
import type { Store } from '../../src/store/index.ts';
import type { Role } from '../../src/shared/context.ts';
import type { Clock } from '../../src/shared/clock.ts';
import { KEK_FILE } from '../../src/ca/load-kek.ts';
import { tempDir, dropSchema, PG_URL, type StoreKind } from './test-store.ts';

export interface TestServer {
  app: FastifyInstance;
  store: Store;
  services: Services;
  routes: RouteInfo[];
  dataDir: string;
  /** The PostgreSQL schema the store lives in (postgres only). */
  schema?: string | undefined;
  /** Base URL when started with listen: true (real loopback HTTP). */
  url: string;
  tokenFor(roles: Role[], principalId?: string): Promise<string>;
  adminHeaders(): Promise<{ authorization: string }>;
  close(): Promise<void>;
}

export interface TestServerOptions {
  store?: StoreKind;
  /** Listen on a free loopback port (real HTTP) instead of in-process inject only. */
  listen?: boolean;
  config?: Partial<Config>;
  /** The server's clock (a fixedClock lets a test move time); the system clock when absent. */
  clock?: Clock;
  /**
   * Start another server of the same deployment: it uses that PostgreSQL server's schema and its
   * key-encryption key (as servers sharing one database must), with its own data folder and
   * memory. The schema is left for the first server's close() to drop.
   */
  shareStoreWith?: TestServer;
}

/** A real server on a real store in a temp folder; in-process by default. */
export async function startTestServer(opts: TestServerOptions = {}): Promise<TestServer> {
  const dataDir = tempDir('tessera-srv-');
  const peer = opts.shareStoreWith;
  if (peer && !peer.schema) throw new Error('shareStoreWith needs a server on PostgreSQL');
  const schema = peer?.schema ?? (opts.store === 'postgres' ? `t_${randomBytes(6).toString('hex')}` : undefined);
  // (No file when the key comes from TESSERA_KEK: both servers then read it from there.)
  if (peer && existsSync(join(peer.dataDir, KEK_FILE))) {
    copyFileSync(join(peer.dataDir, KEK_FILE), join(dataDir, KEK_FILE));
    chmodSync(join(dataDir, KEK_FILE), 0o600);
  }
  const config: Config = {
    // Every in-process request comes from 127.0.0.1: suites that probe hundreds of bad tokens
    // (route enumeration) would trip the failed-authentication limit, which has its own test.
    ...DEFAULTS, dataDir, logLevel: 'silent', listen: { host: '127.0.0.1', port: 0 }, authFailuresPerMinute: 0,
    ...(schema ? { databaseUrl: `${PG_URL}${PG_URL.includes('?') ? '&' : '?'}options=-c%20search_path%3D${schema}` } : {}),
    ...opts.config,
  };
  if (schema) await ensureSchema(schema);
  let services: Services;
  let app: FastifyInstance;
  let routes: RouteInfo[];
  let url = '';
  let stop: () => Promise<void>;
  if (opts.listen) {
    const running = await startServer(config, createLogger('silent'), opts.clock ? { clock: opts.clock } : {});
    services = running.services; app = running.app; url = running.url;
    routes = (app as unknown as { tesseraRoutes: RouteInfo[] }).tesseraRoutes;
    stop = running.stop;
  } else {
    services = await buildServices({ ...config, listen: { host: '127.0.0.1', port: 8080 } }, createLogger('silent'), opts.clock ? { clock: opts.clock } : {});
    ({ app, routes } = await buildApp(services));
    stop = async () => { await app.close(); await closeServices(services); };
  }
  const tokenFor = async (roles: Role[], principalId = `test-${roles.join('-') || 'none'}`) => {
    await ensurePrincipal(services, principalId, roles);
    return (await services.access.issueToken({ id: principalId, roles })).accessToken;
  };
  return {
    app, store: services.store, services, routes, dataDir, schema, url,
    tokenFor,
    adminHeaders: async () => ({ authorization: `Bearer ${await tokenFor(['admin'], 'admin')}` }),
    async close() {
      await stop();
      if (schema && !peer) await dropSchema(schema);
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/** Tokens are only honoured for registered principals: register one for the roles asked. */
async function ensurePrincipal(s: Services, id: string, roles: Role[]): Promise<void> {
  if (await s.store.principals.get(id)) return;
  const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const publicJwk = publicKey.export({ format: 'jwk' });
  await s.store.write(async (tx) => s.store.principals.insert(tx, {
    id, roles, publicJwk, jwkThumbprint: await calculateJwkThumbprint(publicJwk as JWK), description: 'test principal',
    createdAt: s.clock.now(), createdBy: 'test', disabledAt: null,
  }));
}

async function ensureSchema(schema: string): Promise<void> {
  const { default: pg } = await import('pg');
  const c = new pg.Client({ connectionString: PG_URL });
  await c.connect();
  try { await c.query(`CREATE SCHEMA IF NOT EXISTS ${schema}`); } finally { await c.end(); }
}
