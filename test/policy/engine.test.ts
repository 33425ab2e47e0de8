import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import {
  compilePolicies, decide, explainDecision, DEFAULT_POLICIES, type DecisionInput, type DecisionSubject, type PolicyDefinition,
} from '../../src/policy/index.ts';
import { parsePolicyDocument } from '../../src/policy/parse-policy-document.ts';
import { parsePolicyFile } from '../../src/policy/load-policy-dir.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

const subject = (over: Partial<DecisionSubject> = {}): DecisionSubject => ({
  spiffeId: 'spiffe://tessera.local/prod/payments/api', owner: 'team-payments', environment: 'prod', tier: 1,
  labels: { team: 'payments' }, enabled: true, claims: {}, source: { kind: 'jwt-svid', name: 'https://tessera' }, ...over,
});
const input = (over: Partial<DecisionInput> = {}, s: Partial<DecisionSubject> = {}): DecisionInput => ({
  subject: subject(s), audience: ['https://orders.internal'], action: 'token.exchange', context: { time: Date.UTC(2026, 0, 1) }, ...over,
});
const pol = (over: Partial<PolicyDefinition> & { name: string }): PolicyDefinition => ({ owner: 'sec', effect: 'allow', condition: 'true', ...over });
const refused = (fn: () => unknown, code: string, message: RegExp) =>
  assert.throws(fn, (e: unknown) => isTesseraError(e) && e.code === code && message.test(e.message), message.source);

describe('policy documents: strict schema', () => {
  test('a full document parses', () => {
    const d = parsePolicyDocument({
      name: 'deny-forks', description: 'no forks', owner: 'sec', effect: 'deny', mode: 'warn',
      match: { actions: ['token.exchange'], identities: ['spiffe://tessera.local/ci/**'], audiences: ['https://*.internal'] },
      condition: 'subject.claims.fork == "true"',
    });
    assert.deepEqual(d.match, { actions: ['token.exchange'], identities: ['spiffe://tessera.local/ci/**'], audiences: ['https://*.internal'] });
    assert.equal(d.mode, 'warn');
  });

  test('unknown fields, missing owner, bad effect/mode/name/globs are refused naming the field', () => {
    const ok = { name: 'p', owner: 'o', effect: 'allow', condition: 'true' };
    const cases: [unknown, string][] = [
      [{ ...ok, efect: 'deny' }, 'efect'],
      [{ ...ok, match: { identites: ['x'] } }, 'match.identites'],
      [{ name: 'p', effect: 'allow', condition: 'true' }, 'owner'],
      [{ ...ok, owner: '  ' }, 'owner'],
      [{ ...ok, effect: 'maybe' }, 'effect'],
      [{ ...ok, mode: 'loud' }, 'mode'],
      [{ ...ok, name: 'Bad Name' }, 'name'],
      [{ ...ok, name: 'status' }, 'name'],
      [{ ...ok, condition: 42 }, 'condition'],
      [{ ...ok, match: { actions: [] } }, 'match.actions'],
      [{ ...ok, match: { audiences: [''] } }, 'match.audiences[0]'],
      [{ ...ok, match: 'all' }, 'match'],
      ['a string', 'policy'],
    ];
    for (const [doc, field] of cases) {
      assert.throws(() => parsePolicyDocument(doc), (e: unknown) => isTesseraError(e, 'ERR_INVALID_INPUT') && e.details?.field === field, field);
    }
  });

  test('a YAML file holds several documents; errors name the file and document', () => {
    const text = 'name: a\nowner: o\neffect: allow\ncondition: "true"\n---\n---\nname: b\nowner: o\neffect: deny\ncondition: "false"\n';
    assert.deepEqual(parsePolicyFile(text, 'x.yaml').map((p) => p.definition.name), ['a', 'b']);
    refused(() => parsePolicyFile('name: a\nowner: o\neffect: allow\ncondition: "true"\n---\nname: b\nowner: o\neffect: allow\ncondition: "true"\nextra: 1\n', 'x.yaml'),
      'ERR_INVALID_INPUT', /x\.yaml#2\.extra: unknown field/);
    refused(() => parsePolicyFile('name: [a\n', 'y.yaml'), 'ERR_INVALID_INPUT', /y\.yaml#1: not valid YAML/);
  });

  test('malformed CEL and non-bool conditions are refused at compile time, naming the policy and the CEL message', () => {
    refused(() => compilePolicies([pol({ name: 'broken', condition: 'subject.tier ==' })]), 'ERR_INVALID_INPUT', /condition \(broken\): .+/);
    refused(() => compilePolicies([pol({ name: 'stringy', condition: '"yes"' })]), 'ERR_INVALID_INPUT', /\(stringy\).*not bool/);
    refused(() => compilePolicies([pol({ name: 'unknown-var', condition: 'nobody.x == 1' })]), 'ERR_INVALID_INPUT', /\(unknown-var\)/);
    refused(() => compilePolicies([pol({ name: 'a' }), pol({ name: 'a' })], ['built-in', 'policy file a.yaml']), 'ERR_CONFLICT', /defined twice \(in built-in and in policy file a\.yaml\)/);
  });
});

describe('decide(): combination rules', () => {
  test('conflicting allow and deny: deny wins', () => {
    const set = compilePolicies([pol({ name: 'allow-all' }), pol({ name: 'deny-all', effect: 'deny', description: 'nope' })]);
    const d = decide(input(), set);
    assert.deepEqual([d.allow, d.policies, d.reasons], [false, ['deny-all'], ['nope']]);
  });

  test('no applicable allow denies; match filters leave policies out', () => {
    const set = compilePolicies([
      pol({ name: 'allow-ci', match: { identities: ['spiffe://tessera.local/ci/**'] } }),
      pol({ name: 'allow-internal', match: { audiences: ['https://*.internal'], actions: ['identity.*'] } }),
    ]);
    const d = decide(input(), set);
    assert.equal(d.allow, false);
    assert.match(d.reasons[0]!, /no policy allows token\.exchange/);
    assert.equal(decide(input({}, { spiffeId: 'spiffe://tessera.local/ci/acme/deploy' }), set).allow, true);
    assert.equal(decide(input({ action: 'identity.update' }), set).allow, true);
    // "*" stays inside one segment.
    assert.equal(decide(input({ action: 'identity.update', audience: ['https://a/b.internal'] }), set).allow, false);
  });

  test('an evaluation error is a matching deny, explained', () => {
    const set = compilePolicies([pol({ name: 'allow-all' }), pol({ name: 'allow-fork-check', condition: 'subject.claims.fork == "no"' })]);
    const d = decide(input(), set);
    assert.equal(d.allow, false);
    assert.deepEqual(d.policies, ['allow-fork-check']);
    assert.match(d.reasons[0]!, /could not be evaluated \(No such key: fork\)/);
  });

  test('warn and audit policies never deny but are reported', () => {
    const set = compilePolicies([
      pol({ name: 'allow-all' }),
      pol({ name: 'would-deny', effect: 'deny', mode: 'warn', description: 'careful' }),
      pol({ name: 'would-fail', effect: 'deny', mode: 'audit', condition: 'subject.claims.x == 1' }),
    ]);
    const d = decide(input(), set);
    assert.equal(d.allow, true);
    assert.deepEqual(d.warnings.map((w) => [w.policy, w.mode]), [['would-deny', 'warn'], ['would-fail', 'audit']]);
  });

  test('an active exception neutralises a deny for its subject only, until it expires', () => {
    const set = compilePolicies([pol({ name: 'allow-all' }), pol({ name: 'deny-tier1', effect: 'deny', condition: 'subject.tier == 1' })]);
    const now = Date.UTC(2026, 0, 1);
    const exc = { name: 'exc-1', policy: 'deny-tier1', scope: { identity: 'spiffe://tessera.local/prod/payments/api' }, expiresAt: now + 1000 };
    const d = decide(input({ context: { time: now, exceptions: [exc] } }), set);
    assert.equal(d.allow, true);
    assert.deepEqual(d.warnings.map((w) => w.exception), ['exc-1']);
    assert.equal(decide(input({ context: { time: now, exceptions: [exc] } }, { spiffeId: 'spiffe://tessera.local/prod/other' }), set).allow, false);
    assert.equal(decide(input({ context: { time: now + 1000, exceptions: [exc] } }), set).allow, false, 'expired at expiresAt');
    assert.equal(decide(input({ context: { time: now, exceptions: [{ ...exc, policy: 'other' }] } }), set).allow, false);
    assert.equal(decide(input({ context: { time: now, exceptions: [{ ...exc, revokedAt: now - 1 }] } }), set).allow, false, 'revoked');
    assert.equal(decide(input({ context: { time: now, exceptions: [{ ...exc, scope: {} }] } }), set).allow, false, 'a scope naming nothing covers nothing');
    assert.equal(decide(input({ context: { time: now, exceptions: [{ ...exc, scope: { identity: 'spiffe://tessera.local/prod/**' } }] } }), set).allow, true, 'globs');
  });

  test('context.elevations reach CEL', () => {
    const set = compilePolicies([pol({ name: 'allow-elevated', condition: 'context.elevations.exists(e, e.role == "deployer")' })]);
    assert.equal(decide(input({ context: { time: 1, elevations: [{ role: 'deployer', expiresAt: 2 }] } }), set).allow, true);
    assert.equal(decide(input({ context: { time: 1, elevations: [] } }), set).allow, false);
  });

  test('explain gives every policy and why: filter miss, false, true, error, exception', () => {
    const set = compilePolicies([
      pol({ name: 'allow-all', description: 'everyone' }),
      pol({ name: 'only-ci', match: { identities: ['spiffe://tessera.local/ci/**'] } }),
      pol({ name: 'deny-staging', effect: 'deny', condition: 'subject.environment == "staging"' }),
      pol({ name: 'deny-broken', effect: 'deny', condition: 'subject.claims.nope' }),
    ]);
    const e = explainDecision(input(), set);
    assert.equal(e.allow, false);
    assert.deepEqual(e.trace.map((t) => [t.policy, t.outcome]), [
      ['allow-all', 'condition-true'], ['only-ci', 'not-applicable'], ['deny-staging', 'condition-false'], ['deny-broken', 'error'],
    ]);
    assert.match(e.trace[1]!.detail, /match\.identities does not include spiffe:\/\/tessera\.local\/prod\/payments\/api/);
    assert.match(e.trace[3]!.detail, /No such key: nope/);
    // explain and decide agree.
    const d = decide(input(), set);
    assert.deepEqual([d.allow, d.policies, d.reasons], [e.allow, e.policies, e.reasons]);
  });
});

describe('default guardrails as policies', () => {
  const set = compilePolicies(DEFAULT_POLICIES);
  const lifecycle = (s: Partial<DecisionSubject>, action = 'identity.create') =>
    decide({ subject: subject({ source: { kind: 'api', name: 'admin' }, maxTtlSeconds: 900, ...s }), audience: [], action, context: { time: 1 } }, set);

  test('a compliant identity passes', () => assert.equal(lifecycle({}).allow, true));
  test('a tier-1 identity without an owner is refused', () => {
    for (const owner of ['', '   ']) assert.deepEqual(lifecycle({ owner }).policies, ['guardrail-owner-required']);
    assert.deepEqual(lifecycle({ owner: '' }, 'identity.update').policies, ['guardrail-owner-required']);
  });
  test('tier-1 TTL above 1 h is refused; tier 2 is not', () => {
    assert.deepEqual(lifecycle({ maxTtlSeconds: 7200 }).policies, ['guardrail-tier1-ttl-max-1h']);
    assert.equal(lifecycle({ maxTtlSeconds: 7200, tier: 2 }).allow, true);
  });
  test('a static exception without expiry is refused', () => {
    assert.deepEqual(lifecycle({ staticException: { reason: 'legacy', expiresAt: 0 } }).policies, ['guardrail-exception-expiry-required']);
    assert.equal(lifecycle({ staticException: { reason: 'legacy', expiresAt: Date.UTC(2027, 0, 1) } }).allow, true);
  });
  test('a non-expiring tier-1 static key is refused', () => {
    const key = (tier: number, resource: Record<string, unknown>) =>
      decide({ subject: subject({ tier }), audience: [], action: 'static-key.create', context: { time: 1 }, resource }, set);
    assert.deepEqual(key(1, {}).policies, ['guardrail-tier1-static-key-expires']);
    assert.equal(key(1, { expiresAt: Date.UTC(2027, 0, 1) }).allow, true);
    assert.equal(key(2, {}).allow, true);
  });
  test('an identity shared across environments is refused when the existing record is given', () => {
    const d = decide({ subject: subject({ environment: 'staging' }), audience: [], action: 'identity.create', context: { time: 1, existing: { environment: 'prod' } } }, set);
    assert.deepEqual(d.policies, ['guardrail-no-shared-identity-across-environments']);
  });
});
