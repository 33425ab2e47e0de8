import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { randomInt } from 'node:crypto';
import { DETECTORS, scanWith } from '../../../src/scanner/detectors/index.ts';
import { scanStream } from '../../../src/scanner/index.ts';
import { keywordHits } from '../../../src/scanner/engine/keyword-hits.ts';
import { keywordHitsInBytes } from '../../../src/scanner/engine/keyword-hits-in-bytes.ts';
import { scanBytes } from '../../../src/scanner/engine/scan-bytes.ts';
import { scanFileSync } from '../../../src/scanner/engine/scan-file.ts';
import type { DetectorLike } from '../../../src/scanner/engine/types.ts';
import { plantedSamples } from '../detectors/planted.ts';
import { TEST_DETECTORS, TOKEN, TOKEN2 } from './local-detectors.ts';

// The engine reads bytes: the keyword prefilter runs on them, only text with a hit is decoded, and
// the rules run in windows around hits. Whatever the bytes, it must report what the reference
// scanner (every regex over the whole decoded text) reports.

const key = (f: { detector: string; line: number; column: number; secret: string }) => `${f.detector} ${f.line}:${f.column} ${f.secret}`;

async function engine(bytes: Buffer, detectors: readonly DetectorLike[] = DETECTORS, pieces = [bytes]): Promise<string[]> {
  return (await scanStream(Readable.from(pieces), 'f', detectors)).findings.map(key).sort();
}

function reference(bytes: Buffer, detectors = DETECTORS): string[] {
  // TextDecoder: what a reader of the file sees (U+FFFD for invalid bytes, no byte-order mark).
  return scanWith(detectors as typeof DETECTORS, new TextDecoder().decode(bytes)).map(key).sort();
}

function asSets(hits: Map<DetectorLike, number[]>): Record<string, number[]> {
  return Object.fromEntries([...hits].map(([d, list]) => [d.id, [...list].sort((a, b) => a - b)]).sort());
}

const KEYWORDS = [...new Set(DETECTORS.flatMap((d) => d.keywords))];

/** Random bytes that keep running into keywords: random case, overlaps, non-ASCII, control bytes, cut-off keywords. */
function noisyBytes(n: number): Buffer {
  const parts: Buffer[] = [];
  let size = 0;
  while (size < n) {
    const r = randomInt(10);
    let part: Buffer;
    if (r < 4) {
      const k = KEYWORDS[randomInt(KEYWORDS.length)]!;
      const cased = [...k].map((c) => (randomInt(2) ? c.toUpperCase() : c)).join('');
      part = Buffer.from(randomInt(5) === 0 ? cased.slice(0, -1) : cased, 'latin1');
    } else if (r < 6) part = Buffer.from('é€😀_-.=:~\u00a0\n', 'utf8').subarray(randomInt(8), 8 + randomInt(12));
    else if (r < 7) part = Buffer.from([randomInt(256), randomInt(256), 0xc3, 0x28, 0xed, 0xa0, 0x80]);
    else part = Buffer.from('abcdefghijklmnopqrstuvwxyz0123456789 _-'.slice(randomInt(20), 20 + randomInt(20)), 'latin1');
    parts.push(part);
    size += part.length;
  }
  return Buffer.concat(parts);
}

test('the byte prefilter finds exactly the keyword hits of the string prefilter, in any case and any bytes', () => {
  for (let i = 0; i < 200; i++) {
    const bytes = noisyBytes(50 + randomInt(3000));
    assert.deepEqual(asSets(keywordHitsInBytes(bytes, DETECTORS)!), asSets(keywordHits(bytes.toString('latin1').toLowerCase(), DETECTORS)));
  }
  // Keywords at the very start and end, overlapping ones, and one cut off by the end of the buffer.
  const edge = Buffer.from('PWDsecret_access_KEY x ACCOUNTKEY= 9q~ begin rsa private key\nhf_');
  const hits = keywordHitsInBytes(edge, DETECTORS)!;
  assert.deepEqual(asSets(hits), asSets(keywordHits(edge.toString('latin1').toLowerCase(), DETECTORS)));
  assert.deepEqual(hits.get(DETECTORS.find((d) => d.id === 'huggingface-token')!), [edge.length - 3]);
  assert.deepEqual(keywordHitsInBytes(Buffer.from('pw'), DETECTORS)!.size, 0);
});

test('a keyword set the byte scan cannot take (very short or non-ASCII keywords) still works, through decoded text', async () => {
  const odd: DetectorLike[] = [
    { id: 'short', title: 's', severity: 'low', keywords: ['k~'], pattern: /k~(\d{4})/g, check: (m) => ({ secret: m[1]!, confidence: 'high' }) },
    { id: 'accent', title: 'a', severity: 'low', keywords: ['clé'], pattern: /clé=(\w{6,})/gi, check: (m) => ({ secret: m[1]!, confidence: 'high' }) },
  ];
  assert.equal(keywordHitsInBytes(Buffer.from('x'), odd), undefined);
  const bytes = Buffer.from('€ k~1234\nCLÉ=abcdef1 and clé=zyxwvu2\n');
  assert.deepEqual(scanBytes(bytes, odd).map((h) => [h.detector, h.line, h.column, h.secret]),
    [['short', 1, 3, '1234'], ['accent', 2, 1, 'abcdef1'], ['accent', 2, 17, 'zyxwvu2']]);
  assert.deepEqual(await engine(bytes, odd), reference(bytes, odd as typeof DETECTORS));
});

test('every planted credential is found as the reference finds it: alone, inside 40 KB lines, after non-ASCII text', async () => {
  const samples = plantedSamples();
  // Filler with no keyword in it, as one enormous line (minified code): windows are cut inside it.
  const filler = (n: number) => '(a+b)*c;'.repeat(n / 8);
  for (const s of samples) {
    for (const text of [s.text, `${filler(40_000)} ${s.text} ${filler(40_000)}`, `é€😀 ${'ü'.repeat(3000)} ${s.text}\n`]) {
      const bytes = Buffer.from(text);
      const expected = reference(bytes);
      assert.ok(expected.some((k) => k.startsWith(`${s.detector} `)), `${s.detector}: reference finds the sample`);
      assert.deepEqual(await engine(bytes), expected, `${s.detector} in ${text.length} characters`);
    }
  }
  // All at once in one file, read in 64 KiB pieces and so scanned in several overlapping chunks.
  const all = Buffer.from(samples.map((s) => `${filler(randomInt(200_000))}\n${s.text}`).join('\n'));
  assert.ok(all.length > 3 << 20);
  const pieces: Buffer[] = [];
  for (let i = 0; i < all.length; i += 65_536) pieces.push(all.subarray(i, i + 65_536));
  assert.deepEqual(await engine(all, DETECTORS, pieces), reference(all));
});

test('each rule declares a reach that holds its planted matches: they lie that close to one of its keywords', () => {
  for (const s of plantedSamples()) {
    const d = DETECTORS.find((x) => x.id === s.detector)!;
    const lower = s.text.toLowerCase();
    const hits = d.keywords.flatMap((k) => [...lower.matchAll(new RegExp(k.replace(/[.*+?^${}()|[\]\\/-]/g, '\\$&'), 'g'))].map((m) => m.index));
    const { before, after, sameLine } = d.reach ?? { before: 8192, after: 8192 };
    const matches = [...s.text.matchAll(d.pattern)];
    assert.ok(matches.length > 0, d.id);
    for (const m of matches) {
      const end = m.index + m[0].length;
      const near = (h: number) => m.index >= h - before && end <= h + after
        && (!sameLine || !s.text.slice(Math.min(h, m.index), Math.max(h, end)).includes('\n'));
      assert.ok(hits.some(near), `${d.id}: match at ${m.index}..${end}, keywords at ${hits.join(', ')}, reach ${JSON.stringify(d.reach)}`);
    }
  }
});

test('a keyword or secret split across stream pieces or chunk cuts is found once, with the right line and column', async () => {
  const text = Buffer.from(`é€\n  x = "${TOKEN}" 😀 password = "hunter2hunter2"\n${'y'.repeat(70)} ${TOKEN2}\n`);
  const whole = await engine(text, TEST_DETECTORS);
  assert.deepEqual(whole, reference(text, TEST_DETECTORS as typeof DETECTORS));
  assert.equal(whole.length, 3);
  for (const size of [1, 2, 3, 5, 7, 64]) {
    const pieces: Buffer[] = [];
    for (let i = 0; i < text.length; i += size) pieces.push(text.subarray(i, i + size));
    assert.deepEqual(await engine(text, TEST_DETECTORS, pieces), whole, `pieces of ${size} bytes`);
  }
  // Multi-byte characters on one long line across the 1 MiB cuts: columns count UTF-16 units as the reference does.
  const line = Array.from({ length: 900 }, (_, i) => `${'é😀x'.repeat(400 + (i % 7))} ghp_keyword ${i % 3 === 0 ? TOKEN : TOKEN2}`).join(' ');
  const long = Buffer.from(`${line}\nsecond ${TOKEN}\n`);
  assert.ok(long.length > 2 << 20);
  const pieces: Buffer[] = [];
  for (let i = 0; i < long.length; i += 65_536) pieces.push(long.subarray(i, i + 65_536));
  const found = await engine(long, TEST_DETECTORS, pieces);
  assert.equal(found.length, 901);
  assert.deepEqual(found, reference(long, TEST_DETECTORS as typeof DETECTORS));
});

test('invalid UTF-8 and a byte-order mark: line and column as a text reader sees them', async () => {
  const bytes = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(`a ${TOKEN}\n`), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0xff, 0x20]), Buffer.from(`${TOKEN2}\n`)]);
  const found = await engine(bytes, TEST_DETECTORS);
  assert.deepEqual(found, reference(bytes, TEST_DETECTORS as typeof DETECTORS));
  assert.deepEqual(found, [`test-github-pat 1:3 ${TOKEN}`, `test-github-pat 2:8 ${TOKEN2}`]);
});

test('scanFileSync: a missing path, a folder, an oversized file and a binary are reported, not thrown; empty and size-less files are read', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-scan-file-'));
  await mkdir(join(dir, 'sub'));
  await writeFile(join(dir, 'big.txt'), `${'x'.repeat(2000)}\n${TOKEN}\n`);
  await writeFile(join(dir, 'bin.dat'), Buffer.concat([Buffer.from([1, 0, 2]), Buffer.from(TOKEN)]));
  await writeFile(join(dir, 'ok.txt'), `t=${TOKEN}\n`);
  assert.match((scanFileSync(join(dir, 'missing'), 'missing', TEST_DETECTORS, 1000) as { error: string }).error, /ENOENT/);
  assert.match((scanFileSync(join(dir, 'sub'), 'sub', TEST_DETECTORS, 1000) as { error: string }).error, /EISDIR/);
  assert.deepEqual(scanFileSync(join(dir, 'big.txt'), 'big.txt', TEST_DETECTORS, 1000), { skipped: `larger than the size limit (${2001 + TOKEN.length + 1} > 1000 bytes)`, path: 'big.txt' });
  assert.deepEqual(scanFileSync(join(dir, 'bin.dat'), 'bin.dat', TEST_DETECTORS, 1000), { skipped: 'binary', path: 'bin.dat' });
  const ok = scanFileSync(join(dir, 'ok.txt'), 'ok.txt', TEST_DETECTORS, 1000) as { findings: { line: number; column: number }[]; bytes: number };
  assert.deepEqual(ok.findings.map((f) => [f.line, f.column]), [[1, 3]]);
  assert.equal(ok.bytes, TOKEN.length + 3);
  await writeFile(join(dir, 'empty.txt'), '');
  assert.deepEqual(scanFileSync(join(dir, 'empty.txt'), 'empty.txt', TEST_DETECTORS, 1000), { findings: [], bytes: 0 });
  // A file whose size the file system reports as 0 but which has content (Linux /proc) is read to its end.
  if (existsSync('/proc/self/status')) assert.ok((scanFileSync('/proc/self/status', 'status', TEST_DETECTORS, 1000) as { bytes: number }).bytes > 0);
  await rm(dir, { recursive: true, force: true });
});
