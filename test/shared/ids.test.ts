import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uuidv7 } from '../../src/shared/ids.ts';

const FORM = /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

test('uuidv7: RFC 9562 version and variant bits, the time in the first 48 bits, ordered by time', () => {
  const at = Date.parse('2026-11-23T07:00:00Z');
  const id = uuidv7(at);
  assert.match(id, FORM);
  assert.equal(parseInt(id.replace(/-/g, '').slice(0, 12), 16), at);
  assert.ok(uuidv7(at) < uuidv7(at + 1));
});

test('uuidv7: ids drawn across many refills of the random pool are all distinct', () => {
  const seen = new Set<string>();
  for (let i = 0; i < 5000; i++) seen.add(uuidv7(0));
  assert.equal(seen.size, 5000);
  for (const id of [...seen].slice(0, 50)) assert.match(id, FORM);
});
