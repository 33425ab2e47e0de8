import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, readFile, rm, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { base62Crc32 } from '../../src/identity/static-keys/index.ts';
import { sarifValidator } from '../policy/check/sarif-schema.ts';

// A GitHub token with a valid checksum (made up here, never issued).
const BODY = 'Q7mZ2xK9pL4vN8cR1tY6wB3hJ5fD0s';
const GH = `ghp_${BODY}${base62Crc32(BODY)}`;

function io(stdin?: string) {
  const out: string[] = [], err: string[] = [];
  const cli: CliIo = { out: (s) => out.push(s), err: (s) => err.push(s), env: { USER: 'tester' },
    ...(stdin !== undefined ? { stdin: Readable.from([Buffer.from(stdin)]) } : {}) };
  return { cli, out, err };
}

async function tree(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-scan-'));
  await mkdir(join(dir, 'src'));
  await writeFile(join(dir, 'src/app.ts'), `export const token = "${GH}";\n`);
  await writeFile(join(dir, 'README.md'), '# nothing to see\n');
  return dir;
}

test('scan DIR: finds the token, redacts it, exit 1; a clean file exits 0', async () => {
  const dir = await tree();
  const t = io();
  assert.equal(await main(['scan', dir], t.cli), 1);
  const text = t.out.join('\n');
  assert.match(text, /CRITICAL github-pat-classic .*src\/app\.ts:1:23/);
  assert.ok(!text.includes(GH), 'secret redacted');
  const clean = io();
  assert.equal(await main(['scan', join(dir, 'README.md')], clean.cli), 0);
  await rm(dir, { recursive: true, force: true });
});

test('scan --format sarif is schema-valid; --format json is parseable with notices on stderr', async () => {
  const dir = await tree();
  await writeFile(join(dir, 'blob.bin'), Buffer.from([0, 1, 2, 3]));
  const t = io();
  assert.equal(await main(['scan', dir, '--format', 'sarif'], t.cli), 1);
  const sarif = JSON.parse(t.out.join('\n'));
  assert.deepEqual(sarifValidator()(sarif), []);
  assert.equal(sarif.runs[0].results[0].ruleId, 'github-pat-classic');
  assert.ok(t.err.some((l) => /skipped: .*blob\.bin: binary/.test(l)), t.err.join('\n'));
  const j = io();
  await main(['scan', dir, '--format', 'json'], j.cli);
  assert.equal(JSON.parse(j.out.join('\n')).findings.length, 1);
  await rm(dir, { recursive: true, force: true });
});

test('gate: fails a run, passes with a baseline written earlier, and passes with an inline allow', async () => {
  const dir = await tree();
  const base = join(dir, 'baseline.json');
  const w = io();
  assert.equal(await main(['scan', join(dir, 'src'), '--write-baseline', base], w.cli), 0);
  assert.equal(JSON.parse(await readFile(base, 'utf8')).fingerprints.length, 1);
  assert.equal(await main(['scan', join(dir, 'src')], io().cli), 1);
  assert.equal(await main(['scan', join(dir, 'src'), '--baseline', base], io().cli), 0);
  await writeFile(join(dir, 'src/app.ts'), `\n\nexport const token = "${GH}"; // tessera:allow -- test fixture\n`);
  assert.equal(await main(['scan', join(dir, 'src')], io().cli), 0);
  await rm(dir, { recursive: true, force: true });
});

test('--break-glass offline: the gate passes and a local record names who, why and which findings (no secret)', async () => {
  const dir = await tree();
  const data = join(dir, 'data');
  const t = io();
  assert.equal(await main(['scan', join(dir, 'src'), '--break-glass', 'hotfix for outage 42', '--data', data], t.cli), 0);
  const rec = JSON.parse((await readFile(join(data, 'break-glass.jsonl'), 'utf8')).trim());
  assert.equal(rec.reason, 'hotfix for outage 42');
  assert.equal(rec.actor, 'tester');
  assert.equal(rec.findings[0].detector, 'github-pat-classic');
  assert.ok(!JSON.stringify(rec).includes(GH));
  assert.ok(t.err.some((l) => l.includes('break-glass by tester')));
  await rm(dir, { recursive: true, force: true });
});

test('--stdin scans CI logs; --git finds a token three commits back with commit and author', async () => {
  const t = io(`step 1\nexport GH=${GH}\n`);
  assert.equal(await main(['scan', '--stdin', '--name', 'ci.log', '--format', 'json'], t.cli), 1);
  assert.deepEqual(JSON.parse(t.out.join('\n')).findings.map((f: { path: string; line: number }) => [f.path, f.line]), [['ci.log', 2]]);

  const dir = await mkdtemp(join(tmpdir(), 'tessera-cli-git-'));
  const git = (...a: string[]) => execFileSync('git', a, { cwd: dir, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com' } });
  git('init', '-q', '-b', 'main');
  await writeFile(join(dir, 'a.ts'), `const t = "${GH}";\n`);
  git('add', '.'); git('commit', '-q', '-m', 'leak');
  const leak = git('rev-parse', 'HEAD').trim();
  for (const n of [1, 2, 3]) { await writeFile(join(dir, 'a.ts'), `const n = ${n};\n`); git('commit', '-q', '-am', `c${n}`); }
  const g = io();
  assert.equal(await main(['scan', '--git', dir, '--format', 'json'], g.cli), 1);
  const f = JSON.parse(g.out.join('\n')).findings[0];
  assert.equal(f.commit, leak);
  assert.equal(f.author, 'Ada <ada@example.com>');
  assert.equal(f.path, 'a.ts');
  // Working tree is clean now: a plain scan finds nothing.
  assert.equal(await main(['scan', dir], io().cli), 0);
  await rm(dir, { recursive: true, force: true });
});

test('bad usage exits 2 naming the flag; unreadable input exits 2 with the path named', async () => {
  for (const [args, flag] of [
    [['scan', '--format', 'xml'], '--format'], [['scan', '--fail-on', 'urgent'], '--fail-on'], [['scan', '--min-confidence', 'sure'], '--min-confidence'], [['scan', '--bogus'], '--bogus'],
    [['scan', '--git', '--stdin'], '--git'], [['scan', '--max-size', 'huge'], '--max-size'], [['scan', '--break-glass', ' '], '--break-glass'],
    [['scan', '--baseline', '/nonexistent/baseline.json'], '--baseline'],
  ] as const) {
    const t = io();
    assert.equal(await main([...args], t.cli), 2, args.join(' '));
    assert.ok(t.err.join('\n').includes(flag), `${args.join(' ')}: ${t.err.join('\n')}`);
  }
  const dir = await tree();
  const t = io();
  // A path through a regular file (ENOTDIR) cannot be read; the other path is still scanned and reported.
  assert.equal(await main(['scan', join(dir, 'README.md', 'x'), join(dir, 'src')], t.cli), 1);
  assert.match(t.out.join('\n'), /github-pat-classic/);
  assert.match(t.out.join('\n'), /error: .*README\.md\/x: a path component is not a folder/);
  const u = io();
  assert.equal(await main(['scan', join(dir, 'README.md', 'x'), join(dir, 'README.md')], u.cli), 2);
  await rm(dir, { recursive: true, force: true });
});
