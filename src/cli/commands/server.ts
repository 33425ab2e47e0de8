import { parse } from '../args.ts';
import { EXIT, type CliIo } from '../io.ts';
import { loadConfig } from '../../config/load-config.ts';
import { startServer } from '../../main/start-server.ts';
import { createLogger } from '../../main/logger.ts';

const HELP = `Usage: tessera server [flags]

Runs the Tessera server. On first start it creates, in the data folder (mode 0700):
the admin key (admin.key, 0600), the key-encryption key (kek, 0600, unless TESSERA_KEK is set)
and, with the embedded store, the SQLite database (tessera.db).

Flags (each also settable as TESSERA_<NAME> or as a key in <data-dir>/tessera.yaml;
flags win over the environment, which wins over the file):
  --data-dir DIR        data folder (default ./.tessera; --data is the same)
  --listen HOST:PORT    address to listen on (default 127.0.0.1:8080; port 0 = any free port)
  --trust-domain TD     SPIFFE trust domain (default tessera.local)
  --database-url URL    postgres://… to use PostgreSQL instead of the embedded SQLite store
  --public-url URL      base URL clients use (the token issuer); default derived from --listen
  --tls-cert FILE       TLS certificate (PEM); with --tls-key serves HTTPS
  --tls-key FILE        TLS private key (PEM)
  --insecure-http       allow plain HTTP on a non-loopback address (behind a TLS proxy only)
  --log-level LEVEL     fatal|error|warn|info|debug|trace|silent (default info)
  --body-limit BYTES    largest request body accepted (default 65536)
  --admin-token-ttl D   lifetime of admin access tokens, at most 10m (default 10m)
  --svid-max-ttl D      the longest lifetime of any SVID, JWT or X.509 (default 1h; 1m to 7d)
  --jwt-alg ALG         ES256 or RS256: how JWT-SVIDs and access tokens are signed (default ES256)
  --ca-ttl D            lifetime of each X.509 CA; at least 6 × --svid-max-ttl (default 24h)
  --jwt-key-ttl D       how long each JWT signing key signs before the next takes over
                        (default 24h; at least 15m)
  --ca-root-cert FILE   an operator root CA certificate (PEM): Tessera's CA becomes an
                        intermediate under it, and the trust bundle carries the root
  --ca-root-key FILE    that root's private key (PEM, mode 0600); give both or neither
  --exception-max-ttl D
                        the longest a policy exception may live (default 30d; none is permanent)
  --elevation-audiences LIST
                        comma-separated audiences granted only inside an approved elevation
  --policy-dir DIR      folder of policy YAML files, hot-reloaded (default <data-dir>/policies)
  --approved-registries LIST
                        comma-separated image registries admission accepts (default: any)
  --workload-modes LIST rule=mode pairs (enforce|warn|audit), e.g. pss.seccomp=warn
  --leak-webhook-url URL
                        told (POST JSON) when a leaked credential reported by the scanner
                        is revoked: identity, owner, detector, path, revokedAt
  --inventory-max-import-bytes N
                        largest inventory export accepted (default 4294967296, 4 GiB)
  --inventory-unused-days N
                        hygiene lists call an item unused after N days without use (default 90)
  --auth-failures-per-minute N
                        failed authentications one address may make per minute before it is
                        answered 429 unchecked and unaudited (default 60; 0: no limit)
  --admission-auth MODE token: the admission webhook routes need a workload or admin token
                        (default); none: they are public, for managed clusters (GKE, EKS,
                        AKS) whose API servers send no credentials — restrict who can reach
                        them on the network (docs/admission.md)
  -h, --help            this help`;

const OPTIONS = {
  'data-dir': { type: 'string' }, data: { type: 'string' }, listen: { type: 'string' },
  'trust-domain': { type: 'string' }, 'database-url': { type: 'string' }, 'public-url': { type: 'string' },
  'tls-cert': { type: 'string' }, 'tls-key': { type: 'string' }, 'insecure-http': { type: 'boolean' },
  'log-level': { type: 'string' }, 'body-limit': { type: 'string' }, 'admin-token-ttl': { type: 'string' },
  'svid-max-ttl': { type: 'string' }, 'jwt-alg': { type: 'string' }, 'ca-ttl': { type: 'string' }, 'jwt-key-ttl': { type: 'string' },
  'ca-root-cert': { type: 'string' }, 'ca-root-key': { type: 'string' },
  'exception-max-ttl': { type: 'string' }, 'elevation-audiences': { type: 'string' },
  'policy-dir': { type: 'string' }, 'approved-registries': { type: 'string' }, 'workload-modes': { type: 'string' },
  'leak-webhook-url': { type: 'string' }, 'inventory-max-import-bytes': { type: 'string' }, 'inventory-unused-days': { type: 'string' }, 'auth-failures-per-minute': { type: 'string' },
  'admission-auth': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, OPTIONS);
  if (v.help) { io.out(HELP); return EXIT.OK; }
  const config = loadConfig({
    dataDir: v['data-dir'] ?? v.data, listen: v.listen, trustDomain: v['trust-domain'],
    databaseUrl: v['database-url'], publicUrl: v['public-url'], tlsCert: v['tls-cert'], tlsKey: v['tls-key'],
    insecureHttp: v['insecure-http'], logLevel: v['log-level'], bodyLimit: v['body-limit'], adminTokenTtl: v['admin-token-ttl'],
    svidMaxTtl: v['svid-max-ttl'], jwtAlg: v['jwt-alg'], caTtl: v['ca-ttl'], jwtKeyTtl: v['jwt-key-ttl'],
    caRootCert: v['ca-root-cert'], caRootKey: v['ca-root-key'],
    exceptionMaxTtl: v['exception-max-ttl'], elevationAudiences: v['elevation-audiences'],
    policyDir: v['policy-dir'], approvedRegistries: v['approved-registries'], workloadModes: v['workload-modes'],
    leakWebhookUrl: v['leak-webhook-url'],
    inventoryMaxImportBytes: v['inventory-max-import-bytes'], inventoryUnusedDays: v['inventory-unused-days'], authFailuresPerMinute: v['auth-failures-per-minute'],
    admissionAuth: v['admission-auth'],
  }, io.env);
  const logger = createLogger(config.logLevel);
  const server = await startServer(config, logger);
  const s = server.services;
  io.out([
    `tessera server listening on ${server.url}`,
    `  trust domain  ${config.trustDomain}`,
    `  store         ${s.store.dialect === 'sqlite' ? `embedded SQLite in ${config.dataDir}` : 'PostgreSQL'}`,
    `  data folder   ${config.dataDir}`,
    `  admin key     ${s.access.adminKeyPath}`,
    `  try           ./bin/tessera identity list --server ${server.url} --data ${config.dataDir}`,
  ].join('\n'));
  await new Promise<void>((resolve) => {
    const shutdown = (signal: string) => {
      logger.info({ signal }, 'shutting down: finishing in-flight requests and queued writes');
      server.stop().then(resolve, (e) => { logger.error({ err: e }, 'shutdown failed'); resolve(); });
    };
    process.once('SIGTERM', () => shutdown('SIGTERM'));
    process.once('SIGINT', () => shutdown('SIGINT'));
  });
  return EXIT.OK;
}
