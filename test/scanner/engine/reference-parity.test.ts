import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { DETECTORS, scanWith } from '../../../src/scanner/detectors/index.ts';
import { scanChunk, scanStream } from '../../../src/scanner/index.ts';
import { base62Crc32 } from '../../../src/identity/static-keys/index.ts';

// The engine (prefilter + windows + streaming pieces) must report what the reference scanner does.
function corpus(): string {
  const root = join(import.meta.dirname, '..', '..', '..', 'src');
  const parts: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      if (e.isDirectory()) walk(join(d, e.name));
      else if (e.name.endsWith('.ts')) parts.push(readFileSync(join(d, e.name), 'utf8'));
    }
  };
  walk(root);
  const body = 'Z3mK9pL4vN8cR1tY6wB3hJ5fD0sQ7x';
  parts.push(`const gh = "ghp_${body}${base62Crc32(body)}";`, 'aws_access_key_id = AKIAZ7VRSQ4TOBKQWX3M\naws_secret_access_key = "k3Jd9+Vq8Lw2Rz5Ty7Ux1Ni4Op6As0Df/GhJkLmNb"');
  return parts.join('\n');
}

const key = (f: { detector: string; line: number; column: number; secret: string }) => `${f.detector} ${f.line}:${f.column} ${f.secret}`;

test('engine findings equal the reference scanner on real source text with planted secrets', async () => {
  const one = corpus();
  const text = `${one}\n${one}\n${one}`;
  const expected = scanWith(DETECTORS, text).map(key).sort();
  assert.ok(expected.length > 0);
  assert.deepEqual(scanChunk(text, DETECTORS).map(key).sort(), expected);
  // Streamed in 1 MiB pieces (the corpus repeated is several pieces long): the same findings again.
  const r = await scanStream(Readable.from([Buffer.from(text)]), 'corpus', DETECTORS);
  assert.deepEqual(r.findings.map(key).sort(), expected);
});
