// Shared by the exception and elevation tests: a real store, a controlled clock, real principals.
import { generateKeyPairSync } from 'node:crypto';
import { fixedClock } from '../../../src/shared/clock.ts';
import type { RequestContext, Role } from '../../../src/shared/context.ts';
import type { Store } from '../../../src/store/index.ts';
import { openTestStore, type StoreKind } from '../../helpers/test-store.ts';

export const T0 = Date.parse('2026-03-01T00:00:00Z');
export const DAY = 86_400_000;

export async function addPrincipal(store: Store, id: string, roles: Role[], now: number): Promise<void> {
  const publicJwk = generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
  await store.write(async (tx) => store.principals.insert(tx, {
    id, roles, publicJwk, jwkThumbprint: `thumb-${id}`, description: 'test principal', createdAt: now, createdBy: 'test', disabledAt: null,
  }));
}

export const ctxOf = (id: string, roles: Role[]): RequestContext => ({ actor: { id, roles }, requestId: `req-${id}` });

/** A store on a clock the test moves, with principals alice (admin), bob (approver), carol (approver), wl (workload). */
export async function openFixture(kind: StoreKind) {
  const clock = fixedClock(T0);
  const { store, cleanup } = await openTestStore(kind, { clock });
  await addPrincipal(store, 'alice', ['admin'], T0);
  await addPrincipal(store, 'bob', ['approver'], T0);
  await addPrincipal(store, 'carol', ['approver'], T0);
  await addPrincipal(store, 'wl', ['workload'], T0);
  const audit = async (action: string) => (await store.audit.list({ action, limit: 100, newestFirst: true }))
    .map((e) => ({ outcome: e.outcome, target: e.target, actor: e.actor, details: JSON.parse(e.details) as Record<string, unknown> }));
  return { store, clock, cleanup, audit };
}
