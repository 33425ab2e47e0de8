import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { parseSpiffeId, isSpiffeId, checkTrustDomain, SPIFFE_ID_RULES as R } from '../../src/shared/spiffe-id.ts';
import { TesseraError } from '../../src/shared/errors.ts';

function refused(value: unknown, rule: string, field = 'spiffeId'): void {
  assert.throws(() => parseSpiffeId(value, field), (e: unknown) => {
    assert.ok(e instanceof TesseraError, 'a TesseraError');
    assert.equal(e.code, 'ERR_INVALID_SPIFFE_ID');
    assert.equal(e.details?.field, field);
    assert.equal(e.details?.rule, rule, `rule for ${JSON.stringify(value)?.slice(0, 80)}`);
    assert.equal(e.message, `${field}: ${rule}`);
    return true;
  });
}

describe('parseSpiffeId refuses malformed IDs with the rule named', () => {
  const cases: [string, unknown, string][] = [
    ['not a string (number)', 42, R.notString],
    ['not a string (null)', null, R.notString],
    ['not a string (object)', { id: 'spiffe://a' }, R.notString],
    ['empty', '', R.empty],
    ['no scheme', 'example.org/workload', R.missingScheme],
    ['no scheme, leading slashes', '//example.org/workload', R.missingScheme],
    ['http scheme', 'http://example.org/workload', R.wrongScheme],
    ['https scheme', 'https://example.org/workload', R.wrongScheme],
    ['scheme with a typo', 'spife://example.org/workload', R.wrongScheme],
    ['uppercase scheme', 'SPIFFE://example.org/workload', R.schemeCase],
    ['mixed-case scheme', 'Spiffe://example.org/workload', R.schemeCase],
    ['scheme without //', 'spiffe:example.org/workload', R.missingAuthority],
    ['scheme with one /', 'spiffe:/example.org/workload', R.missingAuthority],
    ['scheme only', 'spiffe://', R.trustDomainMissing],
    ['empty trust domain with a path', 'spiffe:///workload', R.trustDomainMissing],
    ['port', 'spiffe://example.org:8443/workload', R.port],
    ['empty port', 'spiffe://example.org:/workload', R.port],
    ['userinfo', 'spiffe://user@example.org/workload', R.userinfo],
    ['userinfo with password', 'spiffe://user:pass@example.org/workload', R.userinfo],
    ['uppercase trust domain', 'spiffe://Example.org/workload', R.trustDomainCase],
    ['all-caps trust domain', 'spiffe://EXAMPLE.ORG', R.trustDomainCase],
    ['percent-encoded trust domain', 'spiffe://exa%6Dple.org/workload', R.trustDomainPercent],
    ['trust domain with a space', 'spiffe://exam ple.org/workload', R.trustDomainChars],
    ['trust domain with "+"', 'spiffe://ex+ample.org/workload', R.trustDomainChars],
    ['trust domain with "*"', 'spiffe://*.example.org/workload', R.trustDomainChars],
    ['IPv6 literal trust domain', 'spiffe://[::1]/workload', R.port],
    ['trust domain over 255 bytes', `spiffe://${'a'.repeat(256)}/workload`, R.trustDomainTooLong],
    ['query', 'spiffe://example.org/workload?x=1', R.query],
    ['empty query', 'spiffe://example.org/workload?', R.query],
    ['query on the trust domain', 'spiffe://example.org?x=1', R.query],
    ['fragment', 'spiffe://example.org/workload#frag', R.fragment],
    ['fragment on the trust domain', 'spiffe://example.org#frag', R.fragment],
    ['root path only (trailing slash)', 'spiffe://example.org/', R.trailingSlash],
    ['trailing slash', 'spiffe://example.org/ns/prod/', R.trailingSlash],
    ['empty segment', 'spiffe://example.org/ns//prod', R.emptySegment],
    ['leading empty segment', 'spiffe://example.org//ns', R.emptySegment],
    ['dot segment', 'spiffe://example.org/ns/./prod', R.dotSegment],
    ['dot-dot segment', 'spiffe://example.org/ns/../prod', R.dotSegment],
    ['final dot segment', 'spiffe://example.org/ns/.', R.dotSegment],
    ['final dot-dot segment', 'spiffe://example.org/..', R.dotSegment],
    ['percent-encoded path', 'spiffe://example.org/ns%2Fprod', R.pathPercent],
    ['percent-encoded letter in path', 'spiffe://example.org/w%6Frkload', R.pathPercent],
    ['space in path', 'spiffe://example.org/my workload', R.pathChars],
    ['"*" in path', 'spiffe://example.org/ns/*', R.pathChars],
    ['":" in path', 'spiffe://example.org/ns:prod', R.pathChars],
    ['"@" in path', 'spiffe://example.org/sa@prod', R.pathChars],
    ['"~" in path', 'spiffe://example.org/~user', R.pathChars],
    ['backslash in path', 'spiffe://example.org/ns\\prod', R.pathChars],
    ['newline in path', 'spiffe://example.org/ns\nprod', R.pathChars],
    ['non-ASCII path', 'spiffe://example.org/caf\u00e9', R.nonAscii],
    ['non-ASCII trust domain', 'spiffe://ex\u00e4mple.org/x', R.nonAscii],
    ['over 2048 bytes', `spiffe://example.org/${'a'.repeat(2048 - 'spiffe://example.org/'.length + 1)}`, R.tooLong],
  ];
  for (const [name, value, rule] of cases) {
    test(name, () => refused(value, rule));
  }

  test('there are at least 25 malformed cases', () => assert.ok(cases.length >= 25));

  test('the field name given is used in the error', () => {
    refused('spiffe://example.org/a//b', R.emptySegment, 'parentId');
  });
});

describe('parseSpiffeId accepts valid IDs', () => {
  const valid: [string, string, string][] = [
    ['spiffe://tessera.local', 'tessera.local', ''],
    ['spiffe://example.org/ns/prod/sa/api', 'example.org', '/ns/prod/sa/api'],
    ['spiffe://my_domain/under_score/x_y', 'my_domain', '/under_score/x_y'],
    ['spiffe://example.org/v1.2.3/a.b', 'example.org', '/v1.2.3/a.b'],
    ['spiffe://example.org/...', 'example.org', '/...'],
    ['spiffe://example.org/.hidden/a..b', 'example.org', '/.hidden/a..b'],
    ['spiffe://k8s-west.example.com/ns/staging/sa/default', 'k8s-west.example.com', '/ns/staging/sa/default'],
    ['spiffe://example.org/9eebccd2-12bf-40a6-b262-65fe0487d453', 'example.org', '/9eebccd2-12bf-40a6-b262-65fe0487d453'],
    ['spiffe://example.org/MixedCase/PATH', 'example.org', '/MixedCase/PATH'],
    ['spiffe://1.2.3.4/x', '1.2.3.4', '/x'],
    ['spiffe://-._/-._', '-._', '/-._'],
  ];
  for (const [id, trustDomain, path] of valid) {
    test(id, () => {
      const s = parseSpiffeId(id);
      assert.equal(s.id, id);
      assert.equal(s.trustDomain, trustDomain);
      assert.equal(s.path, path);
      assert.equal(String(s), id);
      assert.equal(isSpiffeId(id), true);
    });
  }

  test('exactly 2048 bytes is accepted, 2049 is not', () => {
    const prefix = 'spiffe://example.org/';
    const at = prefix + 'a'.repeat(2048 - prefix.length);
    assert.equal(Buffer.byteLength(at), 2048);
    assert.equal(parseSpiffeId(at).id, at);
    refused(at + 'a', R.tooLong);
  });

  test('a 2048-byte ID made of many segments is accepted', () => {
    let id = 'spiffe://example.org';
    while (id.length + 2 <= 2048) id += '/a';
    id += 'b'.repeat(2048 - id.length);
    assert.equal(id.length, 2048);
    assert.ok(isSpiffeId(id));
  });

  test('a 255-byte trust domain is accepted, 256 is not', () => {
    const td = 'a'.repeat(255);
    assert.equal(parseSpiffeId(`spiffe://${td}/x`).trustDomain, td);
    refused(`spiffe://${td}a/x`, R.trustDomainTooLong);
  });

  test('the parsed value is immutable', () => {
    const s = parseSpiffeId('spiffe://example.org/a');
    assert.throws(() => { (s as { path: string }).path = '/b'; }, TypeError);
  });

  test('isSpiffeId is false for invalid values', () => {
    assert.equal(isSpiffeId('spiffe://example.org/'), false);
    assert.equal(isSpiffeId(undefined), false);
  });

  test('checkTrustDomain names the rule', () => {
    checkTrustDomain('tessera.local');
    assert.throws(() => checkTrustDomain('Tessera.local', 'trustDomain'),
      (e: unknown) => e instanceof TesseraError && e.details?.rule === R.trustDomainCase && e.details?.field === 'trustDomain');
  });
});
