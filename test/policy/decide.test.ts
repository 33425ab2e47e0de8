import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compilePolicies, decide, DEFAULT_POLICIES, type DecisionInput, type DecisionSubject } from '../../src/policy/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

const subject = (over: Partial<DecisionSubject> = {}): DecisionSubject => ({
  spiffeId: 'spiffe://tessera.local/ci/acme/payments/deploy', owner: 'team-payments', environment: 'prod', tier: 1,
  labels: { team: 'payments' }, enabled: true, claims: { repository: 'acme/payments', ref: 'refs/heads/main' },
  source: { kind: 'oidc', name: 'github', environment: 'prod' }, binding: 'payments-main', ...over,
});
const input = (over: Partial<DecisionInput> = {}, s: Partial<DecisionSubject> = {}): DecisionInput => ({
  subject: subject(s), audience: ['https://orders.internal'], action: 'token.exchange',
  context: { time: Date.UTC(2026, 0, 1), sourceIp: '10.0.0.1' }, ...over,
});

describe('decide() with the built-in policies', () => {
  test('an enabled identity attested by a prod source gets a token for a named audience', () => {
    const d = decide(input());
    assert.equal(d.allow, true);
    assert.deepEqual(d.policies, ['exchange-enabled-identity']);
    assert.equal(d.reasons.length, 1);
  });

  test('a disabled identity matches no allow policy: denied with a reason', () => {
    const d = decide(input({}, { enabled: false }));
    assert.equal(d.allow, false);
    assert.deepEqual(d.policies, []);
    assert.match(d.reasons[0]!, /no policy allows token.exchange for spiffe:\/\/tessera.local\/ci\/acme\/payments\/deploy/);
  });

  test('a wildcard audience is denied, whatever else allows', () => {
    for (const aud of ['*', 'https://*.internal']) {
      const d = decide(input({ audience: ['https://orders.internal', aud] }));
      assert.equal(d.allow, false, aud);
      assert.deepEqual(d.policies, ['deny-wildcard-audience']);
      assert.match(d.reasons[0]!, /wildcard/);
    }
  });

  test('a prod identity attested by a source trusted for staging (or for nothing) is denied', () => {
    for (const source of [{ kind: 'oidc' as const, name: 'gitlab', environment: 'staging' }, { kind: 'oidc' as const, name: 'any' }]) {
      const d = decide(input({}, { source }));
      assert.equal(d.allow, false);
      assert.deepEqual(d.policies, ['deny-prod-from-untrusted-source']);
    }
    // Not prod, or not an external source: allowed.
    assert.equal(decide(input({}, { environment: 'staging', source: { kind: 'oidc', name: 'gitlab', environment: 'staging' } })).allow, true);
    assert.equal(decide(input({}, { source: { kind: 'join-token', name: 'jt-1' } })).allow, true);
    assert.equal(decide(input({}, { source: { kind: 'jwt-svid', name: 'https://tessera' } })).allow, true);
  });

  test('deny reasons of every denying policy are all given', () => {
    const d = decide(input({ audience: ['*'] }, { source: { kind: 'oidc', name: 'x', environment: 'dev' } }));
    assert.equal(d.allow, false);
    assert.deepEqual(d.policies.sort(), ['deny-prod-from-untrusted-source', 'deny-wildcard-audience']);
    assert.equal(d.reasons.length, 2);
  });
});

describe('decide() with a custom policy set', () => {
  test('policies see labels, claims, context time and source ip; deny overrides allow', () => {
    const set = compilePolicies([
      { name: 'allow-payments', effect: 'allow', actions: ['token.exchange'], condition: 'subject.labels.team == "payments" && subject.claims.ref == "refs/heads/main"', reason: 'payments on main' },
      { name: 'deny-after-2030', effect: 'deny', actions: ['token.exchange'], condition: 'context.time > timestamp("2030-01-01T00:00:00Z")', reason: 'too late' },
      { name: 'deny-ip', effect: 'deny', actions: ['token.exchange'], condition: 'context.sourceIp == "10.6.6.6"', reason: 'blocked address' },
    ]);
    assert.equal(decide(input(), set).allow, true);
    assert.equal(decide(input({}, { claims: { ref: 'refs/heads/dev' } }), set).allow, false);
    const late = decide(input({ context: { time: Date.UTC(2031, 0, 1), sourceIp: '10.0.0.1' } }), set);
    assert.deepEqual([late.allow, late.policies], [false, ['deny-after-2030']]);
    const ip = decide(input({ context: { time: Date.UTC(2026, 0, 1), sourceIp: '10.6.6.6' } }), set);
    assert.deepEqual([ip.allow, ip.reasons], [false, ['blocked address']]);
  });

  test('an evaluation error denies (a missing claim is never read as "not matched")', () => {
    const set = compilePolicies([
      { name: 'allow-all', effect: 'allow', actions: ['token.exchange'], condition: 'true', reason: 'all' },
      { name: 'deny-forks', effect: 'deny', actions: ['token.exchange'], condition: 'subject.claims.fork == "true"', reason: 'forks' },
    ]);
    const d = decide(input(), set);
    assert.equal(d.allow, false);
    assert.deepEqual(d.policies, ['deny-forks']);
    assert.match(d.reasons[0]!, /policy deny-forks could not be evaluated \(No such key: fork\): denied/);
    // With the claim present, the deny policy simply does not match.
    assert.equal(decide(input({}, { claims: { fork: 'false' } }), set).allow, true);
  });

  test('an allow policy that errors also denies', () => {
    const set = compilePolicies([{ name: 'allow-env', effect: 'allow', actions: ['token.exchange'], condition: 'subject.claims.environment == "prod"', reason: 'prod' }]);
    const d = decide(input(), set);
    assert.equal(d.allow, false);
    assert.match(d.reasons[0]!, /could not be evaluated/);
  });

  test('bad policies are refused at compile time, naming the policy and field', () => {
    const bad: [Parameters<typeof compilePolicies>[0], RegExp][] = [
      [[{ name: 'p', effect: 'allow', actions: ['token.exchange'], condition: 'subject.tier ==', reason: 'r' }], /policies\[0\]\.condition \(p\)/],
      [[{ name: 'p', effect: 'allow', actions: ['token.exchange'], condition: '"yes"', reason: 'r' }], /not bool/],
      [[{ name: 'p', effect: 'allow', actions: ['token.exchange'], condition: 'unknown == 1', reason: 'r' }], /condition/],
      [[{ name: 'Bad Name', effect: 'allow', actions: ['token.exchange'], condition: 'true', reason: 'r' }], /name/],
      [[{ name: 'p', effect: 'maybe' as 'allow', actions: ['token.exchange'], condition: 'true', reason: 'r' }], /effect/],
      [[{ name: 'p', effect: 'allow', actions: [], condition: 'true', reason: 'r' }], /actions/],
      [[{ name: 'p', effect: 'allow', actions: ['token.exchange'], condition: 'true', reason: 'r' }, { name: 'p', effect: 'deny', actions: ['token.exchange'], condition: 'true', reason: 'r' }], /defined twice/],
    ];
    for (const [defs, message] of bad) {
      assert.throws(() => compilePolicies(defs), (e: unknown) => isTesseraError(e) && message.test(e.message), message.source);
    }
  });

  test('the built-in set compiles', () => {
    assert.equal(compilePolicies(DEFAULT_POLICIES).policies.length, DEFAULT_POLICIES.length);
  });
});
