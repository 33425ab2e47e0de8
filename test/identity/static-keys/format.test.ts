import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { crc32 } from 'node:zlib';
import {
  BASE62_ALPHABET, base62Crc32, generateStaticKey, hashStaticKey, parseStaticKey,
  STATIC_KEY_LENGTH, STATIC_KEY_PATTERN,
} from '../../../src/identity/static-keys/index.ts';

// The worked example of docs/static-keys.md: if this changes, the document must change too.
const EXAMPLE_RANDOM = 'Zq3vW8mK2pXr7TnB4cYd9HfL1sGj6A';
const EXAMPLE_KEY = 'tsk_Zq3vW8mK2pXr7TnB4cYd9HfL1sGj6A23ra4R';

describe('tsk_ static key format', () => {
  test('generated keys are 40 characters of tsk_ + base62 and parse, with the checksum of their random part', () => {
    for (let i = 0; i < 500; i++) {
      const key = generateStaticKey();
      assert.equal(key.length, STATIC_KEY_LENGTH);
      assert.match(key, /^tsk_[0-9A-Za-z]{36}$/);
      const p = parseStaticKey(key);
      assert.ok(p.ok, `${key}: ${p.ok ? '' : p.reason}`);
      assert.equal(p.checksum, base62Crc32(p.random));
      assert.ok(STATIC_KEY_PATTERN.test(`token=${key};`));
    }
  });

  test('keys do not repeat and use the whole alphabet in the random part', () => {
    const keys = new Set(Array.from({ length: 2000 }, generateStaticKey));
    assert.equal(keys.size, 2000);
    const seen = new Set([...keys].flatMap((k) => [...k.slice(4, 34)]));
    assert.equal(seen.size, 62, 'all 62 characters appear in 60,000 random characters');
  });

  test('the checksum is the CRC32 (IEEE) of the random part, in base62, zero-padded to 6', () => {
    assert.equal(crc32(EXAMPLE_RANDOM), 1_889_364_715);
    assert.equal(base62Crc32(EXAMPLE_RANDOM), '23ra4R');
    assert.equal(parseStaticKey(EXAMPLE_KEY).ok, true);
    // A small CRC keeps its leading zeros.
    assert.equal(base62Crc32(''), '000000');
    assert.equal(BASE62_ALPHABET.length, 62);
  });

  test('one changed character anywhere fails the checksum', () => {
    const key = generateStaticKey();
    for (let i = 4; i < key.length; i++) {
      const c = key[i]!;
      const other = c === 'a' ? 'b' : 'a';
      const flipped = key.slice(0, i) + other + key.slice(i + 1);
      const p = parseStaticKey(flipped);
      assert.equal(p.ok, false, `position ${i}`);
      if (!p.ok) assert.equal(p.reason, 'checksum does not match');
    }
  });

  test('wrong length, prefix, alphabet or type are refused with a reason', () => {
    const key = generateStaticKey();
    const cases: [unknown, RegExp][] = [
      [key.slice(0, -1), /40 characters/],
      [`${key}a`, /40 characters/],
      [`tsk_${key.slice(4, 20)}`, /40 characters/],
      [`TSK_${key.slice(4)}`, /start with tsk_/],
      [`ghp_${key.slice(4)}`, /start with tsk_/],
      [`tsk_${key.slice(4, 39)}-`, /base62/],
      [`tsk_${key.slice(4, 39)}é`, /base62/],
      [42, /not a string/],
      [undefined, /not a string/],
    ];
    for (const [text, reason] of cases) {
      const p = parseStaticKey(text);
      assert.equal(p.ok, false, String(text));
      if (!p.ok) assert.match(p.reason, reason);
    }
  });

  test('the stored hash is SHA-256 hex of the key and differs from key to key', () => {
    const a = generateStaticKey();
    assert.match(hashStaticKey(a), /^[0-9a-f]{64}$/);
    assert.notEqual(hashStaticKey(a), hashStaticKey(generateStaticKey()));
    assert.ok(!hashStaticKey(a).includes(a.slice(4)));
  });
});
