// The rotation schedule as pure decisions over stored keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { isPublished, keyTimes, publishUntilFor, refreshHintSeconds, RETIRE_GRACE_MS, CONFIG_CHANGE_LEAD_MS, type KeyPolicy } from '../../src/ca/index.ts';
import { nextStep } from '../../src/ca/key-schedule.ts';
import type { StoredKey } from '../../src/ca/key-repo.ts';

const H = 3600_000;
const policy: KeyPolicy = { jwtKeyTtlMs: 24 * H, jwtTokenMaxMs: H, svidMaxMs: H };
const fits = { fits: () => true };
const key = (over: Partial<StoredKey>): StoredKey => ({
  kid: 'k', purpose: 'jwt', alg: 'ES256', publicJwk: {}, privateKeyEnc: 'v1.x', status: 'active', createdAt: 0, activatedAt: 0, retiredAt: null, ...over,
});

test('JWT keys: the successor is prepared at once and takes over at 5/6 of jwtKeyTtl after activation', () => {
  const active = key({ kid: 'a', activatedAt: 10 * H, createdAt: 0 });
  assert.deepEqual(keyTimes(active, policy), { prepareAt: 10 * H, activateAt: 30 * H });
  assert.deepEqual(nextStep('jwt', [active], 10 * H, policy, fits), { kind: 'prepare', purpose: 'jwt' });
  const prepared = key({ kid: 'b', status: 'prepared', activatedAt: null, createdAt: 10 * H });
  assert.equal(nextStep('jwt', [active, prepared], 30 * H - 1, policy, fits), undefined);
  assert.deepEqual(nextStep('jwt', [active, prepared], 30 * H, policy, fits), { kind: 'activate', purpose: 'jwt', kid: 'b', retire: 'a' });
  // Due with nothing prepared (e.g. the store refused the prepare earlier): a fresh key now.
  assert.deepEqual(nextStep('jwt', [active], 30 * H, policy, fits), { kind: 'replace', purpose: 'jwt', retire: 'a' });
});

test('X.509 CA: prepared at half its certificate\'s life, activated at 5/6; expired: replaced at once', () => {
  const ca = key({ kid: 'c', purpose: 'x509-ca', createdAt: 0, notBefore: 0, notAfter: 24 * H });
  assert.deepEqual(keyTimes(ca, policy), { prepareAt: 12 * H, activateAt: 20 * H });
  assert.equal(nextStep('x509-ca', [ca], 12 * H - 1, policy, fits), undefined);
  assert.deepEqual(nextStep('x509-ca', [ca], 12 * H, policy, fits), { kind: 'prepare', purpose: 'x509-ca' });
  assert.deepEqual(nextStep('x509-ca', [ca], 24 * H, policy, fits), { kind: 'replace', purpose: 'x509-ca', retire: 'c' });
  assert.equal(isPublished(ca, 24 * H - 1), true);
  assert.equal(isPublished(ca, 24 * H), false);
});

test('first start, a lone prepared key, and keys the configuration no longer wants', () => {
  assert.deepEqual(nextStep('jwt', [], 0, policy, fits), { kind: 'bootstrap', purpose: 'jwt' });
  const p = key({ kid: 'p', status: 'prepared', activatedAt: null });
  assert.deepEqual(nextStep('jwt', [p], 0, policy, fits), { kind: 'activate', purpose: 'jwt', kid: 'p', retire: undefined });
  const es = { fits: (k: StoredKey) => k.alg === 'RS256' };
  const active = key({ kid: 'a', activatedAt: 0 });
  assert.deepEqual(nextStep('jwt', [active, p], H, policy, es), { kind: 'discard', purpose: 'jwt', kid: 'p' });
  assert.deepEqual(nextStep('jwt', [active], H, policy, es), { kind: 'prepare', purpose: 'jwt' });
  const rs = key({ kid: 'r', alg: 'RS256', status: 'prepared', activatedAt: null, createdAt: H });
  assert.equal(nextStep('jwt', [active, rs], H + CONFIG_CHANGE_LEAD_MS - 1, policy, es), undefined, 'published a while before it signs');
  assert.deepEqual(nextStep('jwt', [active, rs], H + CONFIG_CHANGE_LEAD_MS, policy, es), { kind: 'activate', purpose: 'jwt', kid: 'r', retire: 'a' });
  // Retired keys take no part in the decisions.
  const old = key({ kid: 'o', status: 'retired', retiredAt: 0, publishUntil: 5 * H });
  assert.deepEqual(nextStep('jwt', [old], 0, policy, fits), { kind: 'bootstrap', purpose: 'jwt' });
});

test('a retired key is published until its last token has expired, never past its CA certificate', () => {
  assert.equal(publishUntilFor(key({}), 10 * H, policy), 11 * H + RETIRE_GRACE_MS);
  const ca = key({ purpose: 'x509-ca', notAfter: 10 * H + 30 * 60_000 });
  assert.equal(publishUntilFor(ca, 10 * H, policy), 10 * H + 30 * 60_000);
  assert.equal(publishUntilFor({ ...ca, notAfter: 20 * H }, 10 * H, policy), 11 * H + RETIRE_GRACE_MS);
  const retired = key({ status: 'retired', publishUntil: 5 * H });
  assert.equal(isPublished(retired, 5 * H - 1), true);
  assert.equal(isPublished(retired, 5 * H), false);
  assert.equal(isPublished(key({ status: 'retired' }), 0), false, 'no publishUntil: not published');
});

test('the refresh hint is at most 5 minutes, and a twelfth of the shortest key lifetime', () => {
  assert.equal(refreshHintSeconds(86_400, 86_400), 300);
  assert.equal(refreshHintSeconds(360, 86_400), 30);
  assert.equal(refreshHintSeconds(60, 60), 10);
});
