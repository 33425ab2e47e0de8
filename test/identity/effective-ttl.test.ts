import { test } from 'node:test';
import assert from 'node:assert/strict';
import { effectiveTtl } from '../../src/identity/index.ts';
import { isTesseraError } from '../../src/shared/errors.ts';

test('effectiveTtl is the smallest of requested, identity max and policy max', () => {
  assert.equal(effectiveTtl({ identityMax: 900, policyMax: 3600 }), 900);
  assert.equal(effectiveTtl({ identityMax: 7200, policyMax: 3600 }), 3600);
  assert.equal(effectiveTtl({ requested: 60, identityMax: 900, policyMax: 3600 }), 60);
  assert.equal(effectiveTtl({ requested: 900, identityMax: 900, policyMax: 3600 }), 900);
  assert.equal(effectiveTtl({ requested: 5400, identityMax: 7200, policyMax: 3600 }), 3600, 'the policy cap shortens quietly');
});

test('asking for more than the identity allows is ERR_TTL_ABOVE_TIER_MAX naming the field', () => {
  assert.throws(() => effectiveTtl({ requested: 901, identityMax: 900, policyMax: 3600 }),
    (e) => isTesseraError(e, 'ERR_TTL_ABOVE_TIER_MAX') && e.details?.field === 'ttl' && e.details?.max === 900 && /15m1s is above the identity's maximum: this identity allows at most 15m/.test(e.message));
  assert.throws(() => effectiveTtl({ requested: 2, identityMax: 1, policyMax: 10, field: 'lifetime' }),
    (e) => isTesseraError(e, 'ERR_TTL_ABOVE_TIER_MAX') && e.details?.field === 'lifetime');
});
