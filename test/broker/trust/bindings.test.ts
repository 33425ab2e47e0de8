// Binding conditions (CEL) and SPIFFE-ID templates on their own: compile errors name the
// binding, evaluation errors are non-matches, substituted claims cannot escape their segment.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { compileCondition } from '../../../src/broker/trust/condition.ts';
import { compileTemplate } from '../../../src/broker/trust/template.ts';
import { checkBindings } from '../../../src/broker/trust/guardrails.ts';
import { TesseraError } from '../../../src/shared/errors.ts';

const TD = 'tessera.local';

function refusedWith(fn: () => unknown, code: string, field: RegExp, message?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError);
    assert.equal(e.code, code);
    assert.match(String(e.details?.field), field);
    if (message) assert.match(e.message, message);
    return true;
  });
}

describe('binding conditions', () => {
  test('a true condition matches, a false one does not', () => {
    const c = compileCondition('claims.repository == "a/b" && claims.ref.startsWith("refs/heads/")', 'c');
    assert.deepEqual(c({ repository: 'a/b', ref: 'refs/heads/main' }), { matched: true, reason: 'condition is true' });
    assert.equal(c({ repository: 'a/c', ref: 'refs/heads/main' }).matched, false);
  });

  test('an evaluation error (missing claim, wrong type) is a non-match, never an allow', () => {
    const c = compileCondition('claims.environment == "prod" || claims.tier > 1', 'c');
    const r = c({ tier: 'high' });
    assert.equal(r.matched, false);
    assert.match(r.reason, /could not be evaluated \(no match\)/);
    assert.equal(compileCondition('claims.flag', 'c')({ flag: 'yes' }).matched, false);
  });

  test('compile errors and non-boolean expressions are refused with the CEL message', () => {
    refusedWith(() => compileCondition('claims.repository ==', 'bindings[0] (x).condition'), 'ERR_INVALID_INPUT', /bindings\[0\] \(x\)\.condition/, /CEL does not compile: Unexpected token/);
    refusedWith(() => compileCondition('request.user == "x"', 'f'), 'ERR_INVALID_INPUT', /^f$/, /Unknown variable: request/);
    refusedWith(() => compileCondition('"a string"', 'f'), 'ERR_INVALID_INPUT', /^f$/, /must be a boolean expression, not string/);
    refusedWith(() => compileCondition('', 'f'), 'ERR_INVALID_INPUT', /^f$/, /is required/);
    refusedWith(() => compileCondition(`${'true && '.repeat(700)}true`, 'f'), 'ERR_INVALID_INPUT', /^f$/);
  });

  test('checkBindings names the binding whose condition does not compile, and refuses duplicates', () => {
    refusedWith(() => checkBindings([
      { name: 'ok', condition: 'true', spiffeId: 'spiffe://tessera.local/a' },
      { name: 'broken', condition: 'claims.x ==== 1', spiffeId: 'spiffe://tessera.local/b' },
    ], TD), 'ERR_INVALID_INPUT', /^bindings\[1\] \(broken\)\.condition$/, /CEL does not compile/);
    refusedWith(() => checkBindings([
      { name: 'a', condition: 'true', spiffeId: 'spiffe://tessera.local/a' },
      { name: 'a', condition: 'true', spiffeId: 'spiffe://tessera.local/b' },
    ], TD), 'ERR_INVALID_INPUT', /^bindings\[1\]\.name$/, /defined twice/);
    refusedWith(() => checkBindings([{ name: 'a', condition: 'true', spiffeId: 'spiffe://tessera.local/a', extra: 1 }], TD),
      'ERR_INVALID_INPUT', /^bindings\[0\]\.extra$/);
  });
});

describe('SPIFFE-ID templates', () => {
  const render = (t: string, claims: Record<string, unknown>) => compileTemplate(t, TD, 'spiffeId').render(claims);

  test('claims are substituted, including nested and bracketed names', () => {
    assert.deepEqual(render('spiffe://tessera.local/ci/{claims.repository_id}/deploy', { repository_id: '123' }), { spiffeId: 'spiffe://tessera.local/ci/123/deploy' });
    assert.deepEqual(render('spiffe://tessera.local/ns/{claims["kubernetes.io"].namespace}/sa/{claims["kubernetes.io"].serviceaccount.name}',
      { 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'api' } } }), { spiffeId: 'spiffe://tessera.local/ns/prod/sa/api' });
    assert.deepEqual(render('spiffe://tessera.local/gl/{claims.project_id}', { project_id: 20 }), { spiffeId: 'spiffe://tessera.local/gl/20' });
    assert.deepEqual(render('spiffe://tessera.local/gh/{path:claims.repository}', { repository: 'octo-org/octo-repo' }), { spiffeId: 'spiffe://tessera.local/gh/octo-org/octo-repo' });
  });

  test('a claim with "/" or ".." cannot escape its segment', () => {
    const t = 'spiffe://tessera.local/ci/{claims.repository}/deploy';
    for (const evil of ['octo/other', '..', '.', '../../admin', 'a b', 'x%2F..', '', 'ünï']) {
      const r = render(t, { repository: evil });
      assert.ok('error' in r, `${JSON.stringify(evil)} resolved to ${JSON.stringify(r)}`);
    }
    assert.match((render(t, { repository: 'a/b' }) as { error: string }).error, /claims\.repository has characters other than/);
    // The multi-segment form still refuses dot segments and empty segments.
    for (const evil of ['a/../b', '../x', 'a//b', 'a/', '/a', 'a/./b']) {
      assert.ok('error' in render('spiffe://tessera.local/gh/{path:claims.repository}', { repository: evil }), evil);
    }
    assert.ok('error' in render(t, {}));
    assert.ok('error' in render(t, { repository: { nested: 'x' } }));
    assert.ok('error' in render(t, { repository: 1.5 }));
  });

  test('templates outside the trust domain or malformed are refused at compile time', () => {
    refusedWith(() => compileTemplate('spiffe://other.domain/ci/{claims.x}', TD, 'b.spiffeId'), 'ERR_TRUST_DOMAIN_MISMATCH', /^b\.spiffeId$/);
    refusedWith(() => compileTemplate('spiffe://{claims.td}/ci', TD, 'f'), 'ERR_TRUST_DOMAIN_MISMATCH', /^f$/);
    refusedWith(() => compileTemplate('spiffe://tessera.local/ci/{sub}', TD, 'f'), 'ERR_INVALID_INPUT', /^f$/, /placeholders must be/);
    refusedWith(() => compileTemplate('spiffe://tessera.local/ci/{claims.x', TD, 'f'), 'ERR_INVALID_INPUT', /^f$/);
    refusedWith(() => compileTemplate('spiffe://tessera.local', TD, 'f'), 'ERR_INVALID_SPIFFE_ID', /^f$/);
    refusedWith(() => compileTemplate('spiffe://tessera.local/a/../b', TD, 'f'), 'ERR_INVALID_SPIFFE_ID', /^f$/);
  });
});
