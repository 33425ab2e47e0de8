import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, writeFile, symlink, rm } from 'node:fs/promises';
import { createWriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { scanPaths, scanStream, scanChunk } from '../../../src/scanner/index.ts';
import { TEST_DETECTORS, TOKEN, TOKEN2 } from './local-detectors.ts';

async function tempDir(): Promise<string> { return mkdtemp(join(tmpdir(), 'tessera-scan-')); }

test('finds secrets with line and column; the prefilter skips text without keywords', async () => {
  const hits = scanChunk(`a\nb\n  x = "${TOKEN}"\npassword = "hunter2hunter2"\n`, TEST_DETECTORS);
  assert.deepEqual(hits.map((h) => [h.detector, h.line, h.column, h.secret]),
    [['test-github-pat', 3, 8, TOKEN], ['test-password', 4, 1, 'hunter2hunter2']]);
  assert.deepEqual(scanChunk('ghp_ is mentioned but no token\n'.repeat(100), TEST_DETECTORS), []);
  // check() returning null is a hard negative.
  assert.deepEqual(scanChunk('password = "changeme1"', TEST_DETECTORS), []);
});

test('a multi-line PEM block is found whole', async () => {
  const text = `x\n-----BEGIN TEST KEY-----\nQUJD\nREVG\n-----END TEST KEY-----\n`;
  const hits = scanChunk(text, TEST_DETECTORS);
  assert.equal(hits.length, 1);
  assert.equal(hits[0]!.line, 2);
});

test('directories: nested .gitignore, --exclude, binary skip, size limit, results in walk order', async () => {
  const dir = await tempDir();
  await mkdir(join(dir, 'src/deep'), { recursive: true });
  await mkdir(join(dir, 'build'), { recursive: true });
  await mkdir(join(dir, '.git'), { recursive: true });
  await writeFile(join(dir, '.gitignore'), 'build/\n*.log\n!keep.log\n');
  await writeFile(join(dir, 'src/a.ts'), `const t = "${TOKEN}";\n`);
  await writeFile(join(dir, 'src/deep/.gitignore'), 'local.env\n');
  await writeFile(join(dir, 'src/deep/local.env'), `T=${TOKEN}\n`);
  await writeFile(join(dir, 'src/deep/b.txt'), `\n\nT=${TOKEN2}\n`);
  await writeFile(join(dir, 'build/out.js'), `"${TOKEN}"`);
  await writeFile(join(dir, 'x.log'), TOKEN);
  await writeFile(join(dir, 'keep.log'), TOKEN);
  await writeFile(join(dir, '.git/config'), TOKEN);
  await writeFile(join(dir, 'vendor.min.js'), TOKEN);
  await writeFile(join(dir, 'image.png'), Buffer.concat([Buffer.from([0x89, 0x50, 0, 0]), Buffer.from(TOKEN)]));
  await writeFile(join(dir, 'big.txt'), `${'x'.repeat(2000)}\n${TOKEN}`);
  const r = await scanPaths([dir], { detectors: TEST_DETECTORS, exclude: ['*.min.js'], maxBytes: 1000 });
  const rel = (p: string) => p.slice(dir.length + 1);
  assert.deepEqual(r.findings.map((f) => [rel(f.path), f.line]), [['keep.log', 1], ['src/a.ts', 1], ['src/deep/b.txt', 3]]);
  assert.deepEqual(r.notices.map((n) => [rel(n.path), n.kind, n.reason.split(' (')[0]]).sort(),
    [['big.txt', 'skipped', 'larger than the size limit'], ['image.png', 'skipped', 'binary']]);
  await rm(dir, { recursive: true, force: true });
});

test('bad input: symlink loop, path through a regular file (ENOTDIR), missing path — named notices, other files still scanned', async () => {
  const dir = await tempDir();
  await writeFile(join(dir, 'ok.txt'), TOKEN);
  await symlink('loop-b', join(dir, 'loop-a'));
  await symlink('loop-a', join(dir, 'loop-b'));
  await mkdir(join(dir, 'sub'));
  await symlink('..', join(dir, 'sub/up')); // a folder link: never followed, so no endless walk
  const r = await scanPaths([dir, join(dir, 'ok.txt', 'inside'), join(dir, 'missing')], { detectors: TEST_DETECTORS });
  assert.equal(r.findings.length, 1);
  const reasons = r.notices.map((n) => n.reason);
  assert.ok(reasons.some((x) => x.includes('ELOOP')), reasons.join('; '));
  assert.ok(reasons.some((x) => x.includes('ENOTDIR')), reasons.join('; '));
  assert.ok(reasons.some((x) => x.includes('ENOENT')), reasons.join('; '));
  assert.ok(reasons.some((x) => x.includes('symbolic link to a folder')), reasons.join('; '));
  await rm(dir, { recursive: true, force: true });
});

test('deeply nested folders (600 levels) are walked without recursion', async () => {
  const dir = await tempDir();
  let p = dir;
  for (let i = 0; i < 600; i++) p = join(p, 'd');
  await mkdir(p, { recursive: true });
  await writeFile(join(p, 'deep.txt'), TOKEN);
  const r = await scanPaths([dir], { detectors: TEST_DETECTORS });
  assert.equal(r.findings.length, 1);
  await rm(dir, { recursive: true, force: true });
});

test('invalid UTF-8 decodes to U+FFFD and the rest of the file is still scanned', async () => {
  const bytes = Buffer.concat([Buffer.from('a\xff\xfe'), Buffer.from([0xc3, 0x28, 0xed, 0xa0, 0x80, 0x0a]), Buffer.from(`k = ${TOKEN}\n`)]);
  const r = await scanStream(Readable.from([bytes]), 'bad.txt', TEST_DETECTORS);
  assert.deepEqual(r.findings.map((f) => [f.line, f.column, f.secret]), [[2, 5, TOKEN]]);
});

test('a ~50 MB single line is streamed in pieces; secrets on and near piece boundaries are found once', async () => {
  const dir = await tempDir();
  const file = join(dir, 'one-line.txt');
  const ws = createWriteStream(file);
  const pad = 'abcdefghij'.repeat(100_000); // 1,000,000 chars
  const positions: number[] = [];
  let col = 1;
  for (let i = 0; i < 50; i++) {
    ws.write(pad);
    col += pad.length;
    if (i % 7 === 3) { ws.write(` ${TOKEN} `); positions.push(col + 1); col += TOKEN.length + 2; }
  }
  await new Promise<void>((resolve) => ws.end(resolve));
  const r = await scanPaths([file], { detectors: TEST_DETECTORS });
  assert.deepEqual(r.findings.map((f) => [f.line, f.column]), positions.map((c) => [1, c]));
  assert.ok(r.bytesScanned > 50_000_000);
  // Many secrets split across every possible piece boundary: exact count, no duplicates.
  const many = Array.from({ length: 3000 }, (_, i) => `${'y'.repeat(600 + (i % 13))} ${TOKEN}`).join(' ');
  const r2 = await scanStream(Readable.from([Buffer.from(many)]), 'm', TEST_DETECTORS);
  assert.equal(r2.findings.length, 3000);
  assert.equal(new Set(r2.findings.map((f) => f.column)).size, 3000);
  await rm(dir, { recursive: true, force: true });
});

test('line numbers stay right across pieces of a large multi-line file', async () => {
  const lines = Array.from({ length: 200_000 }, (_, i) => (i % 50_000 === 49_999 ? `t=${TOKEN}` : `line ${i} of filler text`));
  const r = await scanStream(Readable.from([Buffer.from(lines.join('\n'))]), 'f', TEST_DETECTORS);
  assert.deepEqual(r.findings.map((f) => [f.line, f.column]), [[50_000, 3], [100_000, 3], [150_000, 3], [200_000, 3]]);
});

test('worker threads: a large tree gives the same findings, in the same order, as the single-thread scan', async () => {
  const dir = await tempDir();
  const filler = `${'const x = "no secrets here";\n'.repeat(20_000)}`; // ~560 KB
  for (let i = 0; i < 30; i++) {
    await writeFile(join(dir, `f${String(i).padStart(2, '0')}.ts`), i % 4 === 0 ? `${filler}t = "${i % 8 === 0 ? TOKEN : TOKEN2}"\n${filler}` : filler);
  }
  const source = { module: new URL('./local-detectors.ts', import.meta.url).href, exportName: 'TEST_DETECTORS' };
  const single = await scanPaths([dir], { detectors: TEST_DETECTORS });
  const multi = await scanPaths([dir], { detectors: TEST_DETECTORS, workers: 3, detectorSource: source });
  assert.equal(single.findings.length, 8);
  assert.deepEqual(multi.findings, single.findings);
  assert.equal(multi.bytesScanned, single.bytesScanned);
  // Workers that cannot load their detectors: every file past the threshold is an error, no hang.
  const broken = await scanPaths([dir], { detectors: TEST_DETECTORS, workers: 2, detectorSource: { module: source.module, exportName: 'NOPE' } });
  assert.ok(broken.notices.some((n) => n.kind === 'error' && /scanner worker/.test(n.reason)), JSON.stringify(broken.notices.slice(0, 2)));
  assert.ok(broken.filesScanned > 0, 'files before the pool started were still scanned');
  await rm(dir, { recursive: true, force: true });
});

test('worker threads over many small files (batched): same findings, order and notices as on one thread; size limit applies in workers', async () => {
  const dir = await tempDir();
  for (let d = 0; d < 6; d++) {
    await mkdir(join(dir, `d${d}`));
    for (let i = 0; i < 100; i++) {
      const body = i % 37 === 5 ? `a\nb = "${d % 2 ? TOKEN : TOKEN2}"\n` : i % 50 === 7 ? `${'z'.repeat(3000)}\n` : `const v${i} = ${i};\n`;
      await writeFile(join(dir, `d${d}`, `f${String(i).padStart(3, '0')}.js`), body);
    }
  }
  await writeFile(join(dir, 'd3', 'bin.dat'), Buffer.from([0, 1, 2]));
  const source = { module: new URL('./local-detectors.ts', import.meta.url).href, exportName: 'TEST_DETECTORS' };
  const single = await scanPaths([dir], { detectors: TEST_DETECTORS, maxBytes: 2000 });
  const multi = await scanPaths([dir], { detectors: TEST_DETECTORS, maxBytes: 2000, workers: 2, detectorSource: source });
  assert.equal(single.findings.length, 18);
  assert.deepEqual(multi.findings, single.findings);
  assert.deepEqual([multi.filesScanned, multi.bytesScanned], [single.filesScanned, single.bytesScanned]);
  const notes = (r: typeof single) => r.notices.map((n) => `${n.kind} ${n.path.slice(dir.length + 1)} ${n.reason}`).sort();
  assert.deepEqual(notes(multi), notes(single));
  assert.equal(single.notices.filter((n) => n.reason.startsWith('larger than the size limit (3001 > 2000')).length, 12);
  assert.ok(single.notices.some((n) => n.reason === 'binary'));
  await rm(dir, { recursive: true, force: true });
});

test('prefilter: a keyword that is a prefix of another still triggers its rule; a rule without keywords runs everywhere', () => {
  const detectors = [
    { id: 'long', title: 'l', severity: 'low' as const, keywords: ['secret_key'], pattern: /secret_key=(\w+)/g, check: (m: RegExpExecArray) => ({ secret: m[1]!, confidence: 'high' as const }) },
    { id: 'short', title: 's', severity: 'low' as const, keywords: ['secret'], pattern: /secret\w*=(\w+)/g, check: (m: RegExpExecArray) => ({ secret: m[1]!, confidence: 'high' as const }) },
    { id: 'any', title: 'a', severity: 'low' as const, keywords: [], pattern: /zz(\d+)/g, check: (m: RegExpExecArray) => ({ secret: m[1]!, confidence: 'high' as const }) },
    { id: 'dot', title: 'd', severity: 'low' as const, keywords: ['a.b'], pattern: /a\.b(\d)/g, check: (m: RegExpExecArray) => ({ secret: m[1]!, confidence: 'high' as const }) },
  ];
  const hits = scanChunk('secret_key=abc\nx zz42 axb1 a.b2', detectors);
  assert.deepEqual(hits.map((h) => [h.detector, h.secret]).sort(), [['any', '42'], ['dot', '2'], ['long', 'abc'], ['short', 'abc']]);
});
