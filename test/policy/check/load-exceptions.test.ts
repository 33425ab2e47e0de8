import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { parseExceptions } from '../../../src/policy/check/load-exceptions.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { exceptionsYaml, type PolicyException } from '../../../src/policy/exceptions/index.ts';

describe('policy check: offline exceptions file', () => {
  test('a YAML list: ISO and epoch-ms expiries, server-export fields accepted', () => {
    const list = parseExceptions('ex.yaml', `
- name: debug-pod
  policy: pss.privileged
  scope: {namespace: shop, name: debug}
  expiresAt: 2030-01-02T03:04:05Z
  reason: incident 42
  owner: team-sre
  approver: alice
- name: old
  policy: pss.host-path
  scope: {kind: DaemonSet}
  expiresAt: 1000
  revokedAt: 900
`);
    assert.deepEqual(list, [
      { name: 'debug-pod', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug' }, expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5) },
      { name: 'old', policy: 'pss.host-path', scope: { kind: 'DaemonSet' }, expiresAt: 1000, revokedAt: 900 },
    ]);
  });

  test('the server list shape ({exceptions: [...]}) and an empty file', () => {
    assert.equal(parseExceptions('ex.json', JSON.stringify({ exceptions: [{ name: 'a', policy: 'p', scope: { name: 'x' }, expiresAt: 5 }] })).length, 1);
    assert.deepEqual(parseExceptions('ex.yaml', ''), []);
    const listed = { items: [{ name: 'a', policy: 'p', scope: { name: 'x' }, reason: 'r', owner: 'o', approver: 'ap', status: 'active',
      createdAt: '2030-01-01T00:00:00.000Z', createdBy: 'c', expiresAt: '2030-02-01T00:00:00.000Z', revokedAt: null, revokedBy: null }] };
    assert.deepEqual(parseExceptions('ex.json', JSON.stringify(listed)),
      [{ name: 'a', policy: 'p', scope: { name: 'x' }, expiresAt: Date.UTC(2030, 1, 1) }]);
  });

  for (const [name, text, where] of [
    ['no expiry', '- {name: a, policy: p, scope: {name: x}}', '[0].expiresAt'],
    ['a date without time and zone', '- {name: a, policy: p, scope: {name: x}, expiresAt: "2030-01-01"}', '[0].expiresAt'],
    ['a negative expiry', '- {name: a, policy: p, scope: {name: x}, expiresAt: -5}', '[0].expiresAt'],
    ['a misspelt scope key (would widen the exception)', '- {name: a, policy: p, scope: {namspace: shop}, expiresAt: 5}', '[0].scope.namspace'],
    ['an empty scope', '- {name: a, policy: p, scope: {}, expiresAt: 5}', '[0].scope'],
    ['no scope', '- {name: a, policy: p, expiresAt: 5}', '[0].scope'],
    ['no policy', '- {name: a, scope: {name: x}, expiresAt: 5}', '[0].policy'],
    ['an unknown field', '- {name: a, policy: p, scope: {name: x}, expiresAt: 5, forever: true}', '[0].forever'],
    ['not a list', 'name: a', 'top level'],
    ['a non-mapping entry', '- just-a-string', '[0]'],
  ] as const) {
    test(`refused: ${name} (ERR_INVALID_INPUT naming ${where})`, () => {
      assert.throws(() => parseExceptions('ex.yaml', text), (e) => {
        assert.ok(isTesseraError(e, 'ERR_INVALID_INPUT'));
        assert.equal(e.details?.field, `ex.yaml:${where}`);
        return true;
      });
    });
  }

  test('reads what the server exports for offline checks (exceptionsYaml)', () => {
    const e: PolicyException = {
      name: 'debug-pod', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug' }, expiresAt: Date.UTC(2030, 0, 1, 12),
      reason: 'incident', owner: 'team-sre', approver: 'alice', createdAt: 1, createdBy: 'bob', revokedAt: null, revokedBy: null,
    };
    assert.deepEqual(parseExceptions('ex.yaml', exceptionsYaml([e])),
      [{ name: 'debug-pod', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug' }, expiresAt: Date.UTC(2030, 0, 1, 12) }]);
  });

  test('unparsable YAML is refused', () => {
    assert.throws(() => parseExceptions('ex.yaml', '- {name: a'), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && /^ex\.yaml: invalid YAML/.test(e.message));
  });
});
