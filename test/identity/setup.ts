// Shared set-up for the identity operation tests: a real store, a movable clock and an actor.
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { openTestStore, type StoreKind } from '../helpers/test-store.ts';
import { fixedClock } from '../../src/shared/clock.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import { TesseraError, type ErrorCode } from '../../src/shared/errors.ts';
import type { Store } from '../../src/store/index.ts';
import type { IdentityDeps } from '../../src/identity/index.ts';
import type { AuditEvent } from '../../src/audit/types.ts';

export const T0 = Date.parse('2030-01-01T00:00:00Z');
export const TRUST_DOMAIN = 'tessera.local';
export const ctx: RequestContext = { actor: { id: 'alice', roles: ['admin'] }, requestId: 'req-1', sourceIp: '127.0.0.1' };

export interface Env { store: Store; deps: IdentityDeps; clock: ReturnType<typeof fixedClock> }

/** Registers before/after hooks for a fresh store per suite, emptied before each test. */
export function useStore(kind: StoreKind): Env {
  const env = {} as Env;
  let cleanup: () => Promise<void>;
  before(async () => {
    env.clock = fixedClock(T0);
    const opened = await openTestStore(kind, { clock: env.clock });
    env.store = opened.store;
    cleanup = opened.cleanup;
    env.deps = { store: env.store, clock: env.clock, trustDomain: TRUST_DOMAIN };
  });
  after(async () => { await cleanup(); });
  beforeEach(async () => {
    await env.store.write(async (tx) => {
      for (const i of (await env.store.identities.list({}, { limit: 10_000 })).items) await env.store.identities.delete(tx, i.id);
    });
  });
  return env;
}

export const valid = (over: Record<string, unknown> = {}): Record<string, unknown> => ({
  spiffeId: 'spiffe://tessera.local/ns/prod/sa/payments', owner: 'team-payments', environment: 'prod', tier: 1, ttl: '15m',
  ...over,
});

/** The last audit event, parsed. */
export async function lastAudit(store: Store): Promise<AuditEvent & { detailsObj: Record<string, unknown> }> {
  const e = await store.audit.last();
  assert.ok(e, 'an audit event was written');
  return { ...e, detailsObj: JSON.parse(e.details) as Record<string, unknown> };
}

/**
 * Asserts a refusal: the error code and field, a `denied` audit event for the action naming the
 * code, and (via the snapshot) that nothing in the registry changed.
 */
export async function assertRefused(
  env: Env, action: string, run: () => Promise<unknown>, code: ErrorCode, field?: string,
): Promise<TesseraError> {
  const before = JSON.stringify((await env.store.identities.list({}, { limit: 10_000 })).items);
  const headBefore = (await env.store.audit.head()).seq;
  let caught: unknown;
  await assert.rejects(run(), (e: unknown) => { caught = e; return true; });
  assert.ok(caught instanceof TesseraError, `a TesseraError, got ${String(caught)}`);
  assert.equal(caught.code, code, caught.message);
  if (field !== undefined) assert.equal(caught.details?.field, field, caught.message);
  assert.equal(JSON.stringify((await env.store.identities.list({}, { limit: 10_000 })).items), before, 'nothing changed');
  const ev = await lastAudit(env.store);
  assert.equal(ev.seq, headBefore + 1, 'exactly one audit event was written');
  assert.equal(ev.action, action);
  assert.equal(ev.outcome, 'denied');
  assert.equal(ev.actor, 'alice');
  assert.equal(ev.requestId, 'req-1');
  assert.equal(ev.detailsObj.code, code);
  if (field !== undefined) assert.equal(ev.detailsObj.field, field);
  return caught;
}
