import { join } from 'node:path';
import type { Clock } from '../shared/clock.ts';
import { systemClock } from '../shared/clock.ts';
import type { Tx, UnitOfWork } from '../shared/tx.ts';
import type { IdentityRepo } from '../identity/identity-repo.ts';
import type { AuditRepo } from '../audit/audit-repo.ts';
import type { AuditEvent } from '../audit/types.ts';
import type { PrincipalRepo } from '../access/principal-repo.ts';
import type { KeyRepo } from '../ca/key-repo.ts';
import type { RevocationRepo } from '../revocation/revocation-repo.ts';
import type { StaticKeyRepo } from '../identity/static-keys/static-key-repo.ts';
import type { JoinTokenRepo } from '../broker/join-tokens/join-token-repo.ts';
import type { TrustSourceRepo } from '../broker/trust/trust-source-repo.ts';
import type { ExceptionRepo } from '../policy/exceptions/exception-repo.ts';
import type { ElevationRepo } from '../policy/elevation/elevation-repo.ts';
import type { PolicyRepo } from '../policy/policy-repo.ts';
import type { InventoryRepo } from '../inventory/inventory-repo.ts';
import type { DpopProofRepo } from '../broker/dpop/dpop-proof-repo.ts';
import type { Database, Dialect } from './sql.ts';
import { openSqlite } from './sqlite.ts';
import { openPostgres } from './postgres.ts';
import { migrate, migrationsApplied } from './migrate.ts';
import { WriteQueue } from './write-queue.ts';
import { auditRepo } from './audit-sql.ts';
import { identityRepo } from './identity-sql.ts';
import { principalRepo } from './principal-sql.ts';
import { keyRepo } from './key-sql.ts';
import { revocationRepo } from './revocation-sql.ts';
import { staticKeyRepo } from './static-key-sql.ts';
import { joinTokenRepo } from './join-token-sql.ts';
import { trustSourceRepo } from './trust-source-sql.ts';
import { exceptionRepo } from './exception-sql.ts';
import { elevationRepo } from './elevation-sql.ts';
import { policyRepo } from './policy-sql.ts';
import { inventoryRepo } from './inventory-sql.ts';
import { dpopProofRepo } from './dpop-proof-sql.ts';

export type { Database, Sql, Dialect } from './sql.ts';
export { sqlOf } from './write-queue.ts';

export interface Store extends UnitOfWork {
  readonly dialect: Dialect;
  readonly db: Database;
  readonly identities: IdentityRepo;
  readonly audit: AuditRepo;
  readonly principals: PrincipalRepo;
  readonly keys: KeyRepo;
  readonly revocations: RevocationRepo;
  readonly staticKeys: StaticKeyRepo;
  readonly joinTokens: JoinTokenRepo;
  readonly trustSources: TrustSourceRepo;
  readonly exceptions: ExceptionRepo;
  readonly elevations: ElevationRepo;
  readonly policies: PolicyRepo;
  readonly inventory: InventoryRepo;
  /** DPoP proofs already used, shared by the servers of one PostgreSQL deployment. */
  readonly dpopProofs: DpopProofRepo;
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  /** Subscribe to audit events after they are durably committed (metrics, detections). */
  onAudit(listener: (events: AuditEvent[]) => void): void;
  ping(): Promise<void>;
  migrationsApplied(): Promise<boolean>;
  /** Waits for queued writes to commit, then closes the connections. */
  close(): Promise<void>;
}

export interface StoreOptions {
  /** postgres://… selects PostgreSQL; otherwise the embedded SQLite file in dataDir is used. */
  databaseUrl?: string | undefined;
  dataDir?: string | undefined;
  /** PostgreSQL schema (tests give each run its own). */
  schema?: string | undefined;
  clock?: Clock | undefined;
}

export const SQLITE_FILE = 'tessera.db';

export async function openStore(opts: StoreOptions): Promise<Store> {
  const clock = opts.clock ?? systemClock;
  let db: Database;
  if (opts.databaseUrl) {
    db = await openPostgres(opts.databaseUrl, opts.schema ? { schema: opts.schema } : {});
  } else {
    if (!opts.dataDir) throw new Error('openStore needs dataDir or databaseUrl');
    db = openSqlite(join(opts.dataDir, SQLITE_FILE));
  }
  try {
    await migrate(db, clock.now());
  } catch (e) {
    await db.close();
    throw e;
  }
  const listeners: ((events: AuditEvent[]) => void)[] = [];
  // Each listener is isolated: one failing must not starve the others (or the writers).
  const queue = new WriteQueue(db, clock, (events) => {
    for (const l of listeners) { try { l(events); } catch { /* the listener's own problem */ } }
  });
  return {
    dialect: db.dialect,
    db,
    identities: identityRepo(db),
    audit: auditRepo(db),
    principals: principalRepo(db),
    keys: keyRepo(db),
    revocations: revocationRepo(db),
    staticKeys: staticKeyRepo(db),
    joinTokens: joinTokenRepo(db),
    trustSources: trustSourceRepo(db),
    exceptions: exceptionRepo(db),
    elevations: elevationRepo(db),
    policies: policyRepo(db),
    inventory: inventoryRepo(db),
    dpopProofs: dpopProofRepo(),
    write: (fn) => queue.write(fn),
    onAudit: (l) => { listeners.push(l); },
    async ping() { await db.get('SELECT 1 AS ok'); },
    migrationsApplied: () => migrationsApplied(db),
    async close() { await queue.flush(); await db.close(); },
  };
}
