import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { exceptionsApplying, exceptionStatus, globMatch, isExceptionActive, scopeMatches, type ActiveException } from '../../../src/policy/exceptions/index.ts';

const T = Date.parse('2026-03-01T00:00:00Z');
const ex = (over: Partial<ActiveException> = {}): ActiveException => ({
  name: 'legacy-batch', policy: 'run-as-non-root', scope: { namespace: 'batch' }, expiresAt: T + 1000, ...over,
});

describe('isExceptionActive / exceptionStatus', () => {
  test('active strictly before expiresAt, expired at and after it', () => {
    const e = ex();
    assert.equal(isExceptionActive(e, T), true);
    assert.equal(isExceptionActive(e, T + 999), true);
    assert.equal(isExceptionActive(e, T + 1000), false);
    assert.equal(exceptionStatus(e, T + 1000), 'expired');
    assert.equal(exceptionStatus(e, T), 'active');
  });
  test('a revoked exception is never active, even before expiry', () => {
    const e = ex({ revokedAt: T - 1 });
    assert.equal(isExceptionActive(e, T), false);
    assert.equal(exceptionStatus(e, T), 'revoked');
  });
});

describe('globMatch', () => {
  test('"*" stays within a segment, "**" crosses segments, the rest is literal', () => {
    assert.equal(globMatch('spiffe://td/ci/*/deploy', 'spiffe://td/ci/payments/deploy'), true);
    assert.equal(globMatch('spiffe://td/ci/*/deploy', 'spiffe://td/ci/a/b/deploy'), false);
    assert.equal(globMatch('spiffe://td/ci/**', 'spiffe://td/ci/a/b/deploy'), true);
    assert.equal(globMatch('a.b', 'axb'), false, 'a dot is a dot');
    assert.equal(globMatch('exact', 'exact'), true);
    assert.equal(globMatch('exact', 'exactly'), false);
  });
});

describe('scopeMatches', () => {
  test('every key the scope names must match; keys it does not name are free', () => {
    assert.equal(scopeMatches({ namespace: 'batch' }, { namespace: 'batch', kind: 'Deployment', name: 'x' }), true);
    assert.equal(scopeMatches({ namespace: 'batch', kind: 'CronJob' }, { namespace: 'batch', kind: 'Deployment' }), false);
    assert.equal(scopeMatches({ namespace: 'batch' }, { identity: 'spiffe://td/x' }), false, 'a key absent from the target does not match');
    assert.equal(scopeMatches({}, { namespace: 'batch' }), false, 'an empty scope matches nothing');
  });
});

describe('exceptionsApplying (offline and live use the same function)', () => {
  const list = [
    ex(),
    ex({ name: 'other-policy', policy: 'no-privileged' }),
    ex({ name: 'other-ns', scope: { namespace: 'web' } }),
    ex({ name: 'revoked', revokedAt: T - 5 }),
    ex({ name: 'deploy-id', policy: 'deny-prod-db', scope: { identity: 'spiffe://td/ci/*/deploy' } }),
  ];
  test('filters by policy, scope and activity', () => {
    const got = exceptionsApplying(list, { policy: 'run-as-non-root', target: { namespace: 'batch', kind: 'Job', name: 'nightly' } }, T);
    assert.deepEqual(got.map((e) => e.name), ['legacy-batch']);
    const byId = exceptionsApplying(list, { policy: 'deny-prod-db', target: { identity: 'spiffe://td/ci/payments/deploy' } }, T);
    assert.deepEqual(byId.map((e) => e.name), ['deploy-id']);
  });
  test('an expired exception stops applying at once: at its expiry instant, not a moment later', () => {
    const q = { policy: 'run-as-non-root', target: { namespace: 'batch' } };
    assert.equal(exceptionsApplying(list, q, T + 999).length, 1);
    assert.equal(exceptionsApplying(list, q, T + 1000).length, 0);
  });
});
