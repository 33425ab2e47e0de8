import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  activeElevations, approveElevation, denyElevation, listElevations, requestElevation, revokeElevation, type ElevationDeps,
} from '../../../src/policy/elevation/index.ts';
import { isTesseraError, type ErrorCode } from '../../../src/shared/errors.ts';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { ctxOf, openFixture } from '../exceptions/fixtures.ts';

const ALICE = ctxOf('alice', ['admin']);
const BOB = ctxOf('bob', ['approver']);
const CAROL = ctxOf('carol', ['approver']);
const WL = ctxOf('wl', ['workload']);
const HOUR = 3_600_000;
const code = (c: ErrorCode, field?: string) => (e: unknown) => {
  assert.ok(isTesseraError(e, c), `expected ${c}, got ${String(e)}`);
  if (field !== undefined) assert.equal(e.details?.field, field);
  return true;
};

for (const kind of STORE_KINDS) {
  describe(`elevations (${kind})`, () => {
    let f: Awaited<ReturnType<typeof openFixture>>;
    let deps: ElevationDeps;
    before(async () => { f = await openFixture(kind); deps = { store: f.store, clock: f.clock }; });
    after(async () => { await f.cleanup(); });
    const ask = (over: Record<string, unknown> = {}, ctx = ALICE) =>
      requestElevation(deps, ctx, { subject: 'wl', grant: { audience: 'prod-db' }, duration: '1h', reason: 'incident 4711', ...over });

    test('request → approve opens the window at approval, for exactly its duration', async () => {
      const r = await ask();
      assert.equal(r.state, 'requested');
      assert.deepEqual(await activeElevations(f.store.elevations, 'wl', f.clock.now()), [], 'nothing granted before approval');
      f.clock.advance(10 * 60_000);
      const approvedAt = f.clock.now();
      const a = await approveElevation(deps, BOB, r.id, { reason: 'ok' });
      assert.equal(a.state, 'approved');
      assert.equal(a.startsAt, approvedAt);
      assert.equal(a.expiresAt, approvedAt + HOUR);
      assert.equal(a.decidedBy, 'bob');
      assert.deepEqual(await activeElevations(f.store.elevations, 'wl', approvedAt), [{ audience: 'prod-db', expiresAt: approvedAt + HOUR }]);
      assert.equal((await activeElevations(f.store.elevations, 'wl', approvedAt + HOUR - 1)).length, 1);
      assert.deepEqual(await activeElevations(f.store.elevations, 'wl', approvedAt + HOUR), [], 'gone at its end, not later');
      const [req] = await f.audit('elevation.request');
      assert.equal(req!.outcome, 'success');
      assert.equal(req!.target, 'wl');
      const [ap] = await f.audit('elevation.approve');
      assert.equal(ap!.outcome, 'success');
      assert.equal(ap!.actor, 'bob');
      assert.equal(ap!.details.requestedBy, 'alice');
    });

    test('an elevation past its window is listed as expired and cannot be revoked', async () => {
      const r = await ask();
      await approveElevation(deps, BOB, r.id);
      f.clock.advance(HOUR);
      const expired = await listElevations(f.store.elevations, { status: 'expired' }, f.clock.now());
      assert.ok(expired.some((e) => e.id === r.id));
      await assert.rejects(revokeElevation(deps, ALICE, r.id), code('ERR_CONFLICT'));
    });

    test('self-approval is refused (requester, or the subject itself), and changes nothing', async () => {
      const r = await ask({}, BOB);
      await assert.rejects(approveElevation(deps, BOB, r.id), code('ERR_SELF_APPROVAL'));
      const own = await ask({ subject: 'carol', grant: { role: 'admin' } });
      await assert.rejects(approveElevation(deps, CAROL, own.id), code('ERR_SELF_APPROVAL'), 'the subject approving its own elevation');
      assert.equal((await f.store.elevations.get(r.id))!.state, 'requested');
      const [ev] = await f.audit('elevation.approve');
      assert.equal(ev!.outcome, 'denied');
      assert.equal(ev!.details.code, 'ERR_SELF_APPROVAL');
    });

    test('double approve is a conflict; the window is not moved', async () => {
      const r = await ask();
      const a = await approveElevation(deps, BOB, r.id);
      f.clock.advance(60_000);
      await assert.rejects(approveElevation(deps, CAROL, r.id), code('ERR_CONFLICT', 'id'));
      assert.equal((await f.store.elevations.get(r.id))!.expiresAt, a.expiresAt);
    });

    test('deny, then approve, is refused: a denied request stays denied', async () => {
      const r = await ask();
      const d = await denyElevation(deps, BOB, r.id, { reason: 'not during the freeze' });
      assert.equal(d.state, 'denied');
      assert.equal(d.decisionReason, 'not during the freeze');
      await assert.rejects(approveElevation(deps, CAROL, r.id), code('ERR_CONFLICT'));
      assert.equal((await f.store.elevations.get(r.id))!.state, 'denied');
      assert.deepEqual((await activeElevations(f.store.elevations, 'wl', f.clock.now())).filter((e) => e.audience === 'never'), []);
      const [ev] = await f.audit('elevation.deny');
      assert.equal(ev!.outcome, 'success');
    });

    test('revoke ends a running elevation at once; by the requester or an admin only', async () => {
      const r = await ask({ grant: { audience: 'revoke-me' } }, BOB);
      await approveElevation(deps, CAROL, r.id);
      assert.ok((await activeElevations(f.store.elevations, 'wl', f.clock.now())).some((e) => e.audience === 'revoke-me'));
      await assert.rejects(revokeElevation(deps, CAROL, r.id), code('ERR_FORBIDDEN'), 'neither admin nor requester');
      const v = await revokeElevation(deps, BOB, r.id);
      assert.equal(v.state, 'revoked');
      assert.equal(v.revokedBy, 'bob');
      assert.equal((await activeElevations(f.store.elevations, 'wl', f.clock.now())).some((e) => e.audience === 'revoke-me'), false);
      await assert.rejects(revokeElevation(deps, ALICE, r.id), code('ERR_CONFLICT'), 'twice');
      await assert.rejects(revokeElevation(deps, ALICE, 'no-such-id'), code('ERR_NOT_FOUND'));
      const ok = (await f.audit('elevation.revoke')).find((e) => e.outcome === 'success');
      assert.equal(ok!.actor, 'bob');
    });

    test('a workload may ask only for itself', async () => {
      const own = await ask({}, WL);
      assert.equal(own.subject, 'wl');
      await assert.rejects(ask({ subject: 'bob' }, WL), code('ERR_FORBIDDEN', 'subject'));
    });

    const bad: [string, Record<string, unknown>, ErrorCode, string][] = [
      ['no reason', { reason: '' }, 'ERR_INVALID_INPUT', 'reason'],
      ['a duration over 8h', { duration: '9h' }, 'ERR_INVALID_DURATION', 'duration'],
      ['a malformed duration', { duration: 'soon' }, 'ERR_INVALID_DURATION', 'duration'],
      ['both role and audience', { grant: { role: 'admin', audience: 'x' } }, 'ERR_INVALID_INPUT', 'grant'],
      ['an unknown role', { grant: { role: 'root' } }, 'ERR_INVALID_INPUT', 'grant.role'],
      ['a wildcard audience', { grant: { audience: '*' } }, 'ERR_INVALID_INPUT', 'grant.audience'],
      ['an unknown grant field', { grant: { scope: 'x' } }, 'ERR_INVALID_INPUT', 'grant.scope'],
      ['an unknown field', { until: 'later' }, 'ERR_INVALID_INPUT', 'until'],
      ['an unknown subject', { subject: 'spiffe://tessera.local/nope' }, 'ERR_NOT_FOUND', 'subject'],
    ];
    for (const [what, over, c, field] of bad) {
      test(`request refused: ${what} (${c}); nothing stored`, async () => {
        const before = (await f.store.elevations.list({}, 500)).length;
        await assert.rejects(ask(over), code(c, field));
        assert.equal((await f.store.elevations.list({}, 500)).length, before);
        const [ev] = await f.audit('elevation.request');
        assert.equal(ev!.outcome, 'denied');
      });
    }

    test('the default duration is 1h', async () => {
      const r = await requestElevation(deps, ALICE, { subject: 'wl', grant: { role: 'auditor' }, reason: 'audit' });
      assert.equal(r.durationSeconds, 3600);
    });
  });
}
