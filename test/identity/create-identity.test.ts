import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createIdentity } from '../../src/identity/index.ts';
import type { ErrorCode } from '../../src/shared/errors.ts';
import { SPIFFE_ID_RULES } from '../../src/shared/spiffe-id.ts';
import { T0, ctx, useStore, valid, lastAudit, assertRefused } from './setup.ts';

for (const kind of STORE_KINDS) {
  describe(`createIdentity on ${kind}`, () => {
    const env = useStore(kind);
    const create = (input: unknown) => createIdentity(env.deps, ctx, input);

    test('registers an identity and records identity.create', async () => {
      const i = await create(valid({ description: 'payments API', labels: { team: 'pay', 'app.kubernetes.io/name': 'api' } }));
      assert.equal(i.spiffeId, 'spiffe://tessera.local/ns/prod/sa/payments');
      assert.equal(i.owner, 'team-payments');
      assert.equal(i.environment, 'prod');
      assert.equal(i.tier, 1);
      assert.equal(i.maxTtlSeconds, 900);
      assert.equal(i.createdAt, T0);
      assert.equal(i.createdBy, 'alice');
      assert.equal(i.updatedBy, 'alice');
      assert.equal(i.disabledAt, null);
      assert.deepEqual(await env.store.identities.get(i.id), i);
      const ev = await lastAudit(env.store);
      assert.equal(ev.action, 'identity.create');
      assert.equal(ev.outcome, 'success');
      assert.equal(ev.target, i.spiffeId);
      assert.equal(ev.actor, 'alice');
      assert.equal(ev.requestId, 'req-1');
      assert.equal(ev.sourceIp, '127.0.0.1');
      assert.equal(ev.detailsObj.id, i.id);
      assert.equal(ev.detailsObj.owner, 'team-payments');
      assert.equal(ev.detailsObj.maxTtlSeconds, 900);
      assert.deepEqual(ev.detailsObj.labels, { team: 'pay', 'app.kubernetes.io/name': 'api' });
    });

    test('ttl may be seconds, and maxTtl is accepted as its other name', async () => {
      assert.equal((await create(valid({ ttl: 600 }))).maxTtlSeconds, 600);
      const b = await create(valid({ spiffeId: 'spiffe://tessera.local/b', ttl: undefined, maxTtl: '1h' }));
      assert.equal(b.maxTtlSeconds, 3600);
    });

    test('the owner is trimmed', async () => {
      assert.equal((await create(valid({ owner: '  team-a@example.com  ' }))).owner, 'team-a@example.com');
    });

    test('each tier accepts exactly its maximum TTL', async () => {
      assert.equal((await create(valid({ spiffeId: 'spiffe://tessera.local/t1', tier: 1, ttl: '1h' }))).maxTtlSeconds, 3600);
      assert.equal((await create(valid({ spiffeId: 'spiffe://tessera.local/t2', tier: 2, ttl: '24h' }))).maxTtlSeconds, 86400);
      assert.equal((await create(valid({ spiffeId: 'spiffe://tessera.local/t3', tier: 3, ttl: '7d' }))).maxTtlSeconds, 604800);
    });

    test('a static-credential exception with a future expiry is stored', async () => {
      const i = await create(valid({ staticException: { reason: 'legacy vendor API key', expiresAt: '2030-02-01T00:00:00Z' } }));
      assert.deepEqual(i.staticException, { reason: 'legacy vendor API key', expiresAt: Date.parse('2030-02-01T00:00:00Z') });
      assert.deepEqual((await env.store.identities.get(i.id))!.staticException, i.staticException);
      assert.deepEqual((await lastAudit(env.store)).detailsObj.staticException, { reason: 'legacy vendor API key', expiresAt: '2030-02-01T00:00:00.000Z' });
    });

    const refusals: [string, Record<string, unknown> | unknown, ErrorCode, string][] = [
      ['missing owner', valid({ owner: undefined }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['null owner', valid({ owner: null }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['empty owner', valid({ owner: '' }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['blank owner', valid({ owner: '   ' }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['owner not a string', valid({ owner: 42 }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['owner with a space inside', valid({ owner: 'team a' }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['owner over 128 characters', valid({ owner: 'a'.repeat(129) }), 'ERR_OWNER_REQUIRED', 'owner'],
      ['missing environment', valid({ environment: undefined }), 'ERR_INVALID_INPUT', 'environment'],
      ['uppercase environment', valid({ environment: 'Prod' }), 'ERR_INVALID_INPUT', 'environment'],
      ['environment over 32 characters', valid({ environment: 'e'.repeat(33) }), 'ERR_INVALID_INPUT', 'environment'],
      ['environment with "_"', valid({ environment: 'pre_prod' }), 'ERR_INVALID_INPUT', 'environment'],
      ['missing tier', valid({ tier: undefined }), 'ERR_INVALID_INPUT', 'tier'],
      ['tier 0', valid({ tier: 0 }), 'ERR_INVALID_INPUT', 'tier'],
      ['tier 4', valid({ tier: 4 }), 'ERR_INVALID_INPUT', 'tier'],
      ['tier as text', valid({ tier: '1' }), 'ERR_INVALID_INPUT', 'tier'],
      ['tier 1.5', valid({ tier: 1.5 }), 'ERR_INVALID_INPUT', 'tier'],
      ['missing ttl', valid({ ttl: undefined }), 'ERR_INVALID_INPUT', 'ttl'],
      ['malformed ttl', valid({ ttl: 'soon' }), 'ERR_INVALID_DURATION', 'ttl'],
      ['negative ttl', valid({ ttl: -5 }), 'ERR_INVALID_DURATION', 'ttl'],
      ['zero ttl', valid({ ttl: 0 }), 'ERR_INVALID_DURATION', 'ttl'],
      ['ttl and maxTtl both', valid({ maxTtl: '10m' }), 'ERR_INVALID_INPUT', 'maxTtl'],
      ['tier 1 ttl above 1h', valid({ ttl: '61m' }), 'ERR_TTL_ABOVE_TIER_MAX', 'ttl'],
      ['tier 1 ttl in seconds above 1h', valid({ ttl: 3601 }), 'ERR_TTL_ABOVE_TIER_MAX', 'ttl'],
      ['tier 1 maxTtl above 1h', valid({ ttl: undefined, maxTtl: '2h' }), 'ERR_TTL_ABOVE_TIER_MAX', 'maxTtl'],
      ['tier 2 ttl above 24h', valid({ tier: 2, ttl: '24h1s' }), 'ERR_TTL_ABOVE_TIER_MAX', 'ttl'],
      ['tier 3 ttl above 7d', valid({ tier: 3, ttl: '8d' }), 'ERR_TTL_ABOVE_TIER_MAX', 'ttl'],
      ['missing SPIFFE ID', valid({ spiffeId: undefined }), 'ERR_INVALID_SPIFFE_ID', 'spiffeId'],
      ['malformed SPIFFE ID', valid({ spiffeId: 'spiffe://tessera.local/ns//x' }), 'ERR_INVALID_SPIFFE_ID', 'spiffeId'],
      ['SPIFFE ID with a port', valid({ spiffeId: 'spiffe://tessera.local:8443/x' }), 'ERR_INVALID_SPIFFE_ID', 'spiffeId'],
      ['bare trust domain SPIFFE ID', valid({ spiffeId: 'spiffe://tessera.local' }), 'ERR_INVALID_SPIFFE_ID', 'spiffeId'],
      ['another trust domain', valid({ spiffeId: 'spiffe://example.org/ns/prod/sa/payments' }), 'ERR_TRUST_DOMAIN_MISMATCH', 'spiffeId'],
      ['exception without expiry', valid({ staticException: { reason: 'legacy' } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt'],
      ['exception with a null expiry', valid({ staticException: { reason: 'legacy', expiresAt: null } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt'],
      ['exception expiring in the past', valid({ staticException: { reason: 'legacy', expiresAt: '2029-12-31T23:59:59Z' } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt'],
      ['exception expiring now', valid({ staticException: { reason: 'legacy', expiresAt: T0 } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt'],
      ['tier 3 exception without expiry', valid({ tier: 3, staticException: { reason: 'legacy' } }), 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt'],
      ['exception with a malformed expiry', valid({ staticException: { reason: 'legacy', expiresAt: 'next year' } }), 'ERR_INVALID_INPUT', 'staticException.expiresAt'],
      ['exception without a reason', valid({ staticException: { expiresAt: '2030-02-01T00:00:00Z' } }), 'ERR_INVALID_INPUT', 'staticException.reason'],
      ['exception with an unknown key', valid({ staticException: { reason: 'r', expiresAt: '2030-02-01T00:00:00Z', permanent: true } }), 'ERR_INVALID_INPUT', 'staticException.permanent'],
      ['exception not an object', valid({ staticException: 'forever' }), 'ERR_INVALID_INPUT', 'staticException'],
      ['labels as an array', valid({ labels: ['a=b'] }), 'ERR_INVALID_INPUT', 'labels'],
      ['more than 64 labels', valid({ labels: Object.fromEntries(Array.from({ length: 65 }, (_, n) => [`k${n}`, 'v'])) }), 'ERR_INVALID_INPUT', 'labels'],
      ['label key with a space', valid({ labels: { 'my key': 'v' } }), 'ERR_INVALID_INPUT', 'labels.my key'],
      ['label key over 63 characters', valid({ labels: { ['k'.repeat(64)]: 'v' } }), 'ERR_INVALID_INPUT', `labels.${'k'.repeat(64)}`],
      ['empty label key', valid({ labels: { '': 'v' } }), 'ERR_INVALID_INPUT', 'labels.'],
      ['label value not a string', valid({ labels: { team: 7 } }), 'ERR_INVALID_INPUT', 'labels.team'],
      ['label value over 256 characters', valid({ labels: { team: 'v'.repeat(257) } }), 'ERR_INVALID_INPUT', 'labels.team'],
      ['description over 1024 characters', valid({ description: 'd'.repeat(1025) }), 'ERR_INVALID_INPUT', 'description'],
      ['description not a string', valid({ description: ['x'] }), 'ERR_INVALID_INPUT', 'description'],
      ['unknown field', valid({ ownr: 'x' }), 'ERR_INVALID_INPUT', 'ownr'],
      ['input not an object', 'spiffe://tessera.local/x', 'ERR_INVALID_INPUT', 'body'],
      ['input null', null, 'ERR_INVALID_INPUT', 'body'],
    ];
    for (const [name, input, code, field] of refusals) {
      test(`refused: ${name} → ${code} on ${field}, nothing stored, denied event`, async () => {
        await assertRefused(env, 'identity.create', () => create(input), code, field);
        assert.equal(await env.store.identities.count(), 0);
      });
    }

    test('the SPIFFE ID rule is carried into the refusal', async () => {
      const e = await assertRefused(env, 'identity.create', () => create(valid({ spiffeId: 'spiffe://tessera.local/a/' })), 'ERR_INVALID_SPIFFE_ID', 'spiffeId');
      assert.equal(e.details?.rule, SPIFFE_ID_RULES.trailingSlash);
      assert.equal((await lastAudit(env.store)).detailsObj.rule, SPIFFE_ID_RULES.trailingSlash);
      assert.equal((await lastAudit(env.store)).target, 'spiffe://tessera.local/a/');
    });

    test('the tier maximum is named in the refusal', async () => {
      const e = await assertRefused(env, 'identity.create', () => create(valid({ ttl: '2h' })), 'ERR_TTL_ABOVE_TIER_MAX', 'ttl');
      assert.equal(e.details?.rule, 'tier 1 allows at most 1h');
    });

    test('the same SPIFFE ID in another environment is ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS', async () => {
      const first = await create(valid());
      await assertRefused(env, 'identity.create', () => create(valid({ environment: 'staging', owner: 'someone-else' })),
        'ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS', 'spiffeId');
      assert.equal(await env.store.identities.count(), 1);
      assert.deepEqual(await env.store.identities.get(first.id), first);
    });

    test('the same SPIFFE ID in the same environment is ERR_CONFLICT', async () => {
      await create(valid());
      await assertRefused(env, 'identity.create', () => create(valid({ owner: 'other' })), 'ERR_CONFLICT', 'spiffeId');
      assert.equal(await env.store.identities.count(), 1);
    });

    test('concurrent registrations of one SPIFFE ID in two environments: one wins, the other gets the guardrail', async () => {
      const head = (await env.store.audit.head()).seq;
      const results = await Promise.allSettled([create(valid()), create(valid({ environment: 'dev' }))]);
      const ok = results.filter((r) => r.status === 'fulfilled');
      const failed = results.filter((r): r is PromiseRejectedResult => r.status === 'rejected');
      assert.equal(ok.length, 1);
      assert.equal(failed.length, 1);
      assert.equal(failed[0]!.reason.code, 'ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS');
      assert.equal(await env.store.identities.count(), 1);
      const events = await env.store.audit.list({ afterSeq: head, action: 'identity.create', limit: 10 });
      assert.deepEqual(events.map((e) => e.outcome).sort(), ['denied', 'success']);
    });

    test('an identity may be re-registered after it is deleted', async () => {
      const first = await create(valid());
      await env.store.write((tx) => env.store.identities.delete(tx, first.id));
      const second = await create(valid({ environment: 'staging' }));
      assert.notEqual(second.id, first.id);
    });
  });
}
