import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtemp, writeFile, rm, readdir, truncate } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { scanGitHistory, scanGitStaged } from '../../../src/scanner/index.ts';
import { TEST_DETECTORS, TOKEN, TOKEN2 } from './local-detectors.ts';

function git(cwd: string, ...args: string[]): string {
  return execFileSync('git', args, { cwd, encoding: 'utf8', env: { ...process.env, GIT_AUTHOR_NAME: 'Ada', GIT_AUTHOR_EMAIL: 'ada@example.com', GIT_COMMITTER_NAME: 'Ada', GIT_COMMITTER_EMAIL: 'ada@example.com', GIT_AUTHOR_DATE: '2026-01-02T03:04:05Z', GIT_COMMITTER_DATE: '2026-01-02T03:04:05Z' } });
}

async function repo(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-git-'));
  git(dir, 'init', '-q', '-b', 'main');
  git(dir, 'config', 'commit.gpgsign', 'false');
  return dir;
}

test('--git: a token added three commits back and since removed is found with commit, author, date, line', async () => {
  const dir = await repo();
  await writeFile(join(dir, 'app.ts'), 'const a = 1;\n');
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'one');
  await writeFile(join(dir, 'app.ts'), `const a = 1;\nconst t = "${TOKEN}";\n`);
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'leak');
  const leak = git(dir, 'rev-parse', 'HEAD').trim();
  await writeFile(join(dir, 'app.ts'), 'const a = 1;\n');
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'remove');
  await writeFile(join(dir, 'other.ts'), '// nothing here\n');
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'more');
  // On another branch only: still reachable from the refs.
  git(dir, 'checkout', '-q', '-b', 'side');
  await writeFile(join(dir, 'side.env'), `\n\nT=${TOKEN2}\n`);
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'side');
  git(dir, 'checkout', '-q', 'main');

  const r = await scanGitHistory({ repo: dir, detectors: TEST_DETECTORS });
  assert.deepEqual(r.notices, []);
  const f = r.findings.find((x) => x.secret === TOKEN);
  assert.ok(f, 'token three commits back found');
  assert.equal(f.commit, leak);
  assert.equal(f.author, 'Ada <ada@example.com>');
  assert.equal(f.date, '2026-01-02T03:04:05+00:00');
  assert.equal(f.path, 'app.ts');
  assert.equal(f.line, 2);
  assert.equal(r.findings.length, 2);
  assert.equal(r.findings.find((x) => x.secret === TOKEN2)?.line, 3);
  // Limited to a ref: the side branch is not reachable from main.
  const main = await scanGitHistory({ repo: dir, detectors: TEST_DETECTORS, refs: ['main'] });
  assert.deepEqual(main.findings.map((x) => x.secret), [TOKEN]);
  await rm(dir, { recursive: true, force: true });
});

test('--staged: only lines added in the index are scanned', async () => {
  const dir = await repo();
  await writeFile(join(dir, 'a.txt'), `old ${TOKEN}\n`);
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'base');
  await writeFile(join(dir, 'a.txt'), `old ${TOKEN}\nnew ${TOKEN2}\n`);
  await writeFile(join(dir, 'unstaged.txt'), TOKEN2);
  git(dir, 'add', 'a.txt');
  const r = await scanGitStaged({ repo: dir, detectors: TEST_DETECTORS });
  assert.deepEqual(r.findings.map((f) => [f.path, f.line, f.secret, f.commit]), [['a.txt', 2, TOKEN2, undefined]]);
  await rm(dir, { recursive: true, force: true });
});

test('bad input: empty repository, not a repository, corrupt repository — notices, no throw', async () => {
  const empty = await repo();
  const r1 = await scanGitHistory({ repo: empty, detectors: TEST_DETECTORS });
  assert.deepEqual(r1.findings, []);
  assert.match(r1.notices[0]!.reason, /no commits/);

  const plain = await mkdtemp(join(tmpdir(), 'tessera-nogit-'));
  const r2 = await scanGitHistory({ repo: plain, detectors: TEST_DETECTORS });
  assert.equal(r2.notices[0]!.kind, 'error');
  assert.match(r2.notices[0]!.reason, /not a git repository/);

  // Corrupt: commit a leak, then a later commit; destroy one object file. The leak is still reported.
  const dir = await repo();
  await writeFile(join(dir, 'a.txt'), `${TOKEN}\n`);
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'leak');
  await writeFile(join(dir, 'b.txt'), 'fine\n');
  git(dir, 'add', '.'); git(dir, 'commit', '-q', '-m', 'b');
  const blob = git(dir, 'rev-parse', 'HEAD:b.txt').trim();
  const obj = join(dir, '.git/objects', blob.slice(0, 2), blob.slice(2));
  await truncate(obj, 0);
  const r3 = await scanGitHistory({ repo: dir, detectors: TEST_DETECTORS });
  assert.ok(r3.notices.some((n) => n.kind === 'error' && /could not be read in full/.test(n.reason)), JSON.stringify(r3.notices));
  assert.deepEqual(r3.findings.map((f) => f.secret), [TOKEN]);
  assert.ok((await readdir(dir)).length > 0);
  for (const d of [empty, plain, dir]) await rm(d, { recursive: true, force: true });
});
