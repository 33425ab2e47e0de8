import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  createException, createExceptionRuntime, exceptionDebt, exceptionsApplying, listExceptions, revokeException,
  type ExceptionDeps,
} from '../../../src/policy/exceptions/index.ts';
import { isTesseraError, type ErrorCode } from '../../../src/shared/errors.ts';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { ctxOf, DAY, openFixture, T0 } from './fixtures.ts';

const ALICE = ctxOf('alice', ['admin']);
const valid = (over: Record<string, unknown> = {}) => ({
  name: 'legacy-batch', policy: 'run-as-non-root', scope: { namespace: 'batch' }, reason: 'vendor image runs as root until v5',
  owner: 'team-batch', approver: 'bob', expiresIn: '7d', ...over,
});
const code = (c: ErrorCode, field?: string) => (e: unknown) => {
  assert.ok(isTesseraError(e, c), `expected ${c}, got ${String(e)}`);
  if (field !== undefined) assert.equal(e.details?.field, field);
  return true;
};

for (const kind of STORE_KINDS) {
  describe(`exceptions (${kind})`, () => {
    let f: Awaited<ReturnType<typeof openFixture>>;
    let deps: ExceptionDeps;
    let changes = 0;
    before(async () => {
      f = await openFixture(kind);
      deps = { store: f.store, clock: f.clock, maxTtl: 30 * 86_400, changed: () => { changes++; } };
    });
    after(async () => { await f.cleanup(); });

    test('created with its owner, approver and expiry; audited; the live list is told', async () => {
      const before = changes;
      const e = await createException(deps, ALICE, valid());
      assert.equal(e.expiresAt, f.clock.now() + 7 * DAY);
      assert.equal(e.createdBy, 'alice');
      assert.deepEqual(await f.store.exceptions.get('legacy-batch'), e);
      assert.equal(changes, before + 1);
      const [ev] = await f.audit('exception.create');
      assert.equal(ev!.outcome, 'success');
      assert.equal(ev!.target, 'exception:legacy-batch');
      assert.equal(ev!.details.approver, 'bob');
    });

    test('an absolute expiresAt is accepted', async () => {
      const at = new Date(f.clock.now() + 2 * DAY).toISOString();
      const e = await createException(deps, ALICE, valid({ name: 'iso-expiry', expiresIn: undefined, expiresAt: at }));
      assert.equal(e.expiresAt, Date.parse(at));
    });

    const refusals: [string, Record<string, unknown>, ErrorCode, string][] = [
      ['no expiry: there are no permanent exceptions', { expiresIn: undefined }, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'expiresAt'],
      ['an expiry beyond exceptionMaxTtl', { expiresIn: '31d' }, 'ERR_INVALID_DURATION', 'expiresIn'],
      ['an expiresAt in the past', { expiresIn: undefined, expiresAt: new Date(T0 - 1000).toISOString() }, 'ERR_INVALID_INPUT', 'expiresAt'],
      ['both expiresAt and expiresIn', { expiresAt: new Date(T0 + DAY).toISOString() }, 'ERR_INVALID_INPUT', 'expiresIn'],
      ['an unknown field', { severity: 'low' }, 'ERR_INVALID_INPUT', 'severity'],
      ['an unknown scope field', { scope: { cluster: 'x' } }, 'ERR_INVALID_INPUT', 'scope.cluster'],
      ['an empty scope', { scope: {} }, 'ERR_INVALID_INPUT', 'scope'],
      ['an identity scope that is not a SPIFFE ID', { scope: { identity: 'payments' } }, 'ERR_INVALID_INPUT', 'scope.identity'],
      ['no reason', { reason: ' ' }, 'ERR_INVALID_INPUT', 'reason'],
      ['no owner', { owner: undefined }, 'ERR_INVALID_INPUT', 'owner'],
      ['the creator approving their own exception', { approver: 'alice' }, 'ERR_SELF_APPROVAL', 'approver'],
      ['an approver who is not a principal', { approver: 'nobody' }, 'ERR_NOT_FOUND', 'approver'],
      ['a bad name', { name: 'Bad Name' }, 'ERR_INVALID_INPUT', 'name'],
    ];
    for (const [what, over, c, field] of refusals) {
      test(`refused: ${what} (${c}); nothing stored, the refusal audited`, async () => {
        const name = `refused-${refusals.findIndex((r) => r[0] === what)}`;
        const body = valid({ name, ...over });
        if ('name' in over) body.name = over.name as string;
        await assert.rejects(createException(deps, ALICE, body), code(c, field));
        assert.equal(await f.store.exceptions.get(String(body.name)), undefined);
        const [ev] = await f.audit('exception.create');
        assert.equal(ev!.outcome, 'denied');
        assert.equal(ev!.details.code, c);
      });
    }

    test('a taken name is a conflict and changes nothing', async () => {
      const before = await f.store.exceptions.get('legacy-batch');
      await assert.rejects(createException(deps, ALICE, valid({ reason: 'again' })), code('ERR_CONFLICT', 'name'));
      assert.deepEqual(await f.store.exceptions.get('legacy-batch'), before);
    });

    test('revoke ends it at once; a second revoke is a conflict; an unknown name is not found', async () => {
      await createException(deps, ALICE, valid({ name: 'to-revoke' }));
      const r = await revokeException(deps, ALICE, 'to-revoke');
      assert.equal(r.revokedAt, f.clock.now());
      assert.equal((await f.store.exceptions.listActive(f.clock.now())).some((e) => e.name === 'to-revoke'), false);
      await assert.rejects(revokeException(deps, ALICE, 'to-revoke'), code('ERR_CONFLICT'));
      await assert.rejects(revokeException(deps, ALICE, 'no-such'), code('ERR_NOT_FOUND'));
      const [ev] = await f.audit('exception.revoke');
      assert.equal(ev!.outcome, 'denied');
      const ok = (await f.audit('exception.revoke')).find((e) => e.outcome === 'success');
      assert.equal(ok!.target, 'exception:to-revoke');
    });

    test('the live runtime: an expired exception stops applying at once, without waiting for a reload', async () => {
      await createException(deps, ALICE, valid({ name: 'short', policy: 'deny-prod-db', scope: { identity: 'spiffe://td/ci/*/deploy' }, expiresIn: '1h' }));
      const rt = await createExceptionRuntime(f.store.exceptions, f.clock, 3_600_000);
      try {
        const q = { policy: 'deny-prod-db', target: { identity: 'spiffe://td/ci/payments/deploy' } };
        const now = f.clock.now();
        assert.deepEqual(exceptionsApplying(rt.active(now), q, now).map((e) => e.name), ['short']);
        f.clock.advance(3_600_000);
        // No reload in between: the list in memory still holds it, active() must not return it.
        assert.equal(rt.active(f.clock.now()).some((e) => e.name === 'short'), false);
        assert.equal(exceptionsApplying(rt.active(f.clock.now()), q, f.clock.now()).length, 0);
      } finally { rt.close(); }
    });

    test('a revoke made through the operations reaches the runtime on reload', async () => {
      const rt = await createExceptionRuntime(f.store.exceptions, f.clock, 3_600_000);
      try {
        await createException({ ...deps, changed: () => { void rt.reload(); } }, ALICE, valid({ name: 'reloaded', expiresIn: '2d' }));
        await rt.reload();
        assert.ok(rt.active(f.clock.now()).some((e) => e.name === 'reloaded'));
        await revokeException(deps, ALICE, 'reloaded');
        await rt.reload();
        assert.equal(rt.active(f.clock.now()).some((e) => e.name === 'reloaded'), false);
      } finally { rt.close(); }
    });

    test('list filters by status and policy', async () => {
      const now = f.clock.now();
      const active = await listExceptions(f.store.exceptions, { status: 'active' }, now);
      assert.ok(active.every((e) => e.revokedAt === null && e.expiresAt > now));
      assert.ok(active.some((e) => e.name === 'legacy-batch'));
      const revoked = await listExceptions(f.store.exceptions, { status: 'revoked' }, now);
      assert.deepEqual(revoked.map((e) => e.name).sort(), ['reloaded', 'to-revoke']);
      const expired = await listExceptions(f.store.exceptions, { status: 'expired' }, now);
      assert.deepEqual(expired.map((e) => e.name), ['short']);
      const byPolicy = await listExceptions(f.store.exceptions, { policy: 'deny-prod-db' }, now);
      assert.deepEqual(byPolicy.map((e) => e.name), ['short']);
      await assert.rejects(listExceptions(f.store.exceptions, { status: 'lapsed' }, now), code('ERR_INVALID_INPUT', 'status'));
    });
  });
}

describe('exceptionDebt', () => {
  test('counts by status; oldest age, by policy and by owner count active ones only', () => {
    const base = { scope: { namespace: 'x' }, reason: 'r', approver: 'bob', createdBy: 'alice', revokedBy: null };
    const list = [
      { ...base, name: 'a', policy: 'p1', owner: 'o1', createdAt: T0, expiresAt: T0 + 10 * DAY, revokedAt: null },
      { ...base, name: 'b', policy: 'p1', owner: 'o2', createdAt: T0 + DAY, expiresAt: T0 + 10 * DAY, revokedAt: null },
      { ...base, name: 'c', policy: 'p2', owner: 'o1', createdAt: T0 + 2 * DAY, expiresAt: T0 + 10 * DAY, revokedAt: null },
      { ...base, name: 'd', policy: 'p2', owner: 'o3', createdAt: T0 - 9 * DAY, expiresAt: T0 + DAY, revokedAt: null },
      { ...base, name: 'e', policy: 'p3', owner: 'o3', createdAt: T0 - 9 * DAY, expiresAt: T0 + 10 * DAY, revokedAt: T0 },
    ];
    const d = exceptionDebt(list, T0 + 3 * DAY);
    assert.deepEqual(d, { active: 3, expired: 1, revoked: 1, oldestAgeSeconds: 3 * 86_400, byPolicy: { p1: 2, p2: 1 }, byOwner: { o1: 2, o2: 1 } });
    assert.deepEqual(exceptionDebt([], T0), { active: 0, expired: 0, revoked: 0, oldestAgeSeconds: 0, byPolicy: {}, byOwner: {} });
  });
});
