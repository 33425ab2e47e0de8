import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { createPrincipal, disablePrincipal } from '../../src/access/index.ts';
import { jwkThumbprint } from '../../src/ca/index.ts';
import { systemClock } from '../../src/shared/clock.ts';
import type { RequestContext } from '../../src/shared/context.ts';
import { isTesseraError, type ErrorCode } from '../../src/shared/errors.ts';
import { STORE_KINDS, openTestStore } from '../helpers/test-store.ts';

const admin: RequestContext = { actor: { id: 'admin', roles: ['admin'] }, requestId: 'r1', sourceIp: '127.0.0.1' };
const ecJwk = () => generateKeyPairSync('ec', { namedCurve: 'P-256' }).publicKey.export({ format: 'jwk' });
const edJwk = () => generateKeyPairSync('ed25519').publicKey.export({ format: 'jwk' });

for (const kind of STORE_KINDS) {
  describe(`principals on ${kind}`, () => {
    test('create stores the principal with the normalised public key and thumbprint, audited with the actor', async () => {
      const t = await openTestStore(kind);
      try {
        const deps = { store: t.store, clock: systemClock };
        const jwk = { ...ecJwk(), kid: 'mine', use: 'sig' };
        const p = await createPrincipal(deps, admin, { id: 'ci.deploy', roles: ['workload', 'auditor', 'workload'], publicJwk: jwk, description: 'deploys' });
        assert.deepEqual(p.roles, ['workload', 'auditor']);
        assert.deepEqual(p.publicJwk, { kty: 'EC', crv: 'P-256', x: jwk.x, y: jwk.y });
        assert.equal(p.jwkThumbprint, jwkThumbprint(jwk));
        assert.equal(p.createdBy, 'admin');
        assert.deepEqual(await t.store.principals.get('ci.deploy'), p);
        const okp = await createPrincipal(deps, admin, { id: 'spiffe://tessera.local/ns/ci/sa/bot', roles: ['workload'], publicJwk: edJwk() });
        assert.equal(okp.publicJwk.kty, 'OKP');
        const ev = (await t.store.audit.list({ action: 'principal.create', limit: 10 }));
        assert.deepEqual(ev.map((e) => [e.target, e.outcome, e.actor, e.requestId]), [
          ['ci.deploy', 'success', 'admin', 'r1'], ['spiffe://tessera.local/ns/ci/sa/bot', 'success', 'admin', 'r1']]);
      } finally { await t.cleanup(); }
    });

    test('bad input is refused with the field and rule named, audited as denied, nothing stored', async () => {
      const t = await openTestStore(kind);
      try {
        const deps = { store: t.store, clock: systemClock };
        const good = { id: 'ok', roles: ['auditor'], publicJwk: ecJwk() };
        const cases: [Record<string, unknown>, string][] = [
          [{ ...good, id: 'Upper' }, 'id'], [{ ...good, id: '' }, 'id'], [{ ...good, id: 'a'.repeat(129) }, 'id'],
          [{ ...good, id: 'has space' }, 'id'], [{ ...good, id: 7 }, 'id'], [{ ...good, id: 'é' }, 'id'],
          [{ ...good, roles: [] }, 'roles'], [{ ...good, roles: ['root'] }, 'roles'], [{ ...good, roles: 'admin' }, 'roles'], [{ ...good, roles: [1] }, 'roles'],
          [{ ...good, publicJwk: { ...generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' }) } }, 'publicJwk.d'],
          [{ ...good, publicJwk: generateKeyPairSync('rsa', { modulusLength: 2048 }).publicKey.export({ format: 'jwk' }) }, 'publicJwk.kty'],
          [{ ...good, publicJwk: { kty: 'oct', k: 'AAAA' } }, 'publicJwk.k'],
          [{ ...good, publicJwk: 'jwk' }, 'publicJwk'],
          [{ ...good, description: 'x'.repeat(1025) }, 'description'], [{ ...good, description: 3 }, 'description'],
        ];
        for (const [input, field] of cases) {
          await assert.rejects(createPrincipal(deps, admin, input as never), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === field,
            `expected ${field} for ${JSON.stringify(input).slice(0, 80)}`);
        }
        assert.deepEqual(await t.store.principals.list(), []);
        const ev = await t.store.audit.list({ action: 'principal.create', limit: 100 });
        assert.equal(ev.length, cases.length);
        assert.ok(ev.every((e) => e.outcome === 'denied'));
      } finally { await t.cleanup(); }
    });

    test('a duplicate id is ERR_CONFLICT and the first principal is unchanged', async () => {
      const t = await openTestStore(kind);
      try {
        const deps = { store: t.store, clock: systemClock };
        const first = await createPrincipal(deps, admin, { id: 'dup', roles: ['auditor'], publicJwk: ecJwk() });
        await assert.rejects(createPrincipal(deps, admin, { id: 'dup', roles: ['admin'], publicJwk: ecJwk() }), (e) => isTesseraError(e, 'ERR_CONFLICT'));
        assert.deepEqual(await t.store.principals.get('dup'), first);
      } finally { await t.cleanup(); }
    });

    test('disable: audited, idempotent; refused for oneself, for the last enabled admin, and for unknown ids', async () => {
      const t = await openTestStore(kind);
      try {
        const deps = { store: t.store, clock: systemClock };
        await createPrincipal(deps, admin, { id: 'admin', roles: ['admin'], publicJwk: ecJwk() });
        await createPrincipal(deps, admin, { id: 'bot', roles: ['workload'], publicJwk: ecJwk() });
        const expectRefusal = async (ctx: RequestContext, id: string, code: ErrorCode) => {
          await assert.rejects(disablePrincipal(deps, ctx, id), (e) => isTesseraError(e, code));
          const last = await t.store.audit.last();
          assert.deepEqual([last!.action, last!.outcome], ['principal.disable', 'denied']);
        };
        await expectRefusal(admin, 'admin', 'ERR_DENIED');
        await expectRefusal(admin, 'nobody', 'ERR_NOT_FOUND');
        const other: RequestContext = { actor: { id: 'second-admin', roles: ['admin'] } };
        await expectRefusal(other, 'admin', 'ERR_CONFLICT');
        assert.equal((await t.store.principals.get('admin'))!.disabledAt, null);

        const d = await disablePrincipal(deps, admin, 'bot');
        assert.notEqual(d.disabledAt, null);
        assert.equal((await t.store.principals.get('bot'))!.disabledAt, d.disabledAt);
        const seq = (await t.store.audit.head()).seq;
        assert.deepEqual(await disablePrincipal(deps, admin, 'bot'), { ...d });
        assert.equal((await t.store.audit.head()).seq, seq, 'disabling again records nothing');
        const ok = await t.store.audit.list({ action: 'principal.disable', outcome: 'success', limit: 10 });
        assert.deepEqual(ok.map((e) => e.target), ['bot']);

        // With a second enabled admin, the first may be disabled by the second.
        await createPrincipal(deps, admin, { id: 'second-admin', roles: ['admin', 'auditor'], publicJwk: ecJwk() });
        await disablePrincipal(deps, other, 'admin');
        assert.notEqual((await t.store.principals.get('admin'))!.disabledAt, null);
      } finally { await t.cleanup(); }
    });

    test('two administrators disabling each other at the same moment: one succeeds, one is refused, one admin remains', async () => {
      const t = await openTestStore(kind);
      try {
        const deps = { store: t.store, clock: systemClock };
        await createPrincipal(deps, admin, { id: 'alice', roles: ['admin'], publicJwk: ecJwk() });
        await createPrincipal(deps, admin, { id: 'bob', roles: ['admin'], publicJwk: ecJwk() });
        const asAlice: RequestContext = { actor: { id: 'alice', roles: ['admin'] } };
        const asBob: RequestContext = { actor: { id: 'bob', roles: ['admin'] } };
        // Both read "two enabled admins" before either writes: only the check in the transaction can hold.
        const results = await Promise.allSettled([disablePrincipal(deps, asAlice, 'bob'), disablePrincipal(deps, asBob, 'alice')]);
        assert.deepEqual(results.map((r) => r.status).sort(), ['fulfilled', 'rejected']);
        const refused = results.find((r) => r.status === 'rejected') as PromiseRejectedResult;
        assert.ok(isTesseraError(refused.reason, 'ERR_CONFLICT'));
        const enabled = (await t.store.principals.list()).filter((p) => p.disabledAt === null && p.roles.includes('admin'));
        assert.equal(enabled.length, 1);
        assert.equal((await t.store.audit.list({ action: 'principal.disable', outcome: 'success', limit: 10 })).length, 1);
      } finally { await t.cleanup(); }
    });
  });
}
