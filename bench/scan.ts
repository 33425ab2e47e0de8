// Secret scanner: MB/s of `tessera scan` (the CLI, --format json) on a ≥ 200 MB mixed corpus, against
// secretlint (recommended preset, same Node) and `git secrets --scan` (AWS rules) in the same run;
// recall on planted credentials for each; findings on hard negatives; `--git` over 5,000 commits.
// Goals: ≥ 100 MB/s on 2 cores, recall ≥ 99 %, zero hard-negative findings.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCorpus, recall, type Corpus } from './scan-corpus.ts';
import { benchScanGit } from './scan-git.ts';
import type { BenchResult } from './result.ts';

const ROOT = join(import.meta.dirname, '..');
const CLI = [process.execPath, '--disable-warning=ExperimentalWarning', join(ROOT, 'src', 'cli', 'main.ts')];
const CAP_MS = 120_000;
const MB = 1024 * 1024;

type Hit = { file: string; line: number; secret?: string };

function timed(cmd: string, args: string[], cwd: string): { ms: number; stdout: string; stderr: string; timedOut: boolean; status: number | null } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { cwd, encoding: 'utf8', maxBuffer: 1024 * MB, timeout: CAP_MS });
  const ms = performance.now() - t0;
  return { ms, stdout: r.stdout ?? '', stderr: r.stderr ?? '', timedOut: r.error !== undefined && (r.error as NodeJS.ErrnoException).code === 'ETIMEDOUT', status: r.status };
}

function tessera(c: Corpus): { mbps: number; hits: Hit[] } {
  const out = join(c.root, '..', 'tessera.json');
  const r = timed(CLI[0]!, [...CLI.slice(1), 'scan', c.root, '--format', 'json', '--show-secrets', '--min-confidence', 'low', '--output', out], c.root);
  if (r.status !== 0 && r.status !== 1) throw new Error(`tessera scan failed (${r.status}): ${r.stderr}`);
  const report = JSON.parse(readFileSync(out, 'utf8')) as { findings: { path: string; line: number; secret: string }[] };
  return { mbps: c.bytes / MB / (r.ms / 1000), hits: report.findings.map((f) => ({ file: resolve(c.root, f.path), line: f.line, secret: f.secret })) };
}

/** secretlint on the first copy only (one copy is ~10 MB): at well under 1 MB/s here it cannot do the whole corpus in its time cap. */
function secretlint(c: Corpus): { mbps: number; hits: Hit[]; timedOut: boolean } {
  writeFileSync(join(c.root, '.secretlintrc.json'), JSON.stringify({ rules: [{ id: '@secretlint/secretlint-rule-preset-recommend' }] }));
  const bin = join(ROOT, 'node_modules', 'secretlint', 'bin', 'secretlint.js');
  // --output, not standard output: secretlint exits before a large report drains through a pipe.
  const out = join(c.root, '..', 'secretlint.json');
  const r = timed(process.execPath, [bin, 'copy-0/**/*', '--format', 'json', '--output', out, '--secretlintrc', join(c.root, '.secretlintrc.json')], c.root);
  const hits: Hit[] = [];
  try {
    for (const file of JSON.parse(readFileSync(out, 'utf8')) as { filePath: string; messages: { loc?: { start: { line: number } }; line?: number }[] }[]) {
      for (const m of file.messages) hits.push({ file: resolve(c.root, file.filePath), line: m.loc?.start.line ?? m.line ?? 0 });
    }
  } catch { if (!r.timedOut) throw new Error(`secretlint output unreadable (${r.status}): ${r.stderr.slice(0, 500)}`); }
  return { mbps: c.copyBytes / MB / (r.ms / 1000), hits, timedOut: r.timedOut };
}

/** git secrets with its AWS provider (its only built-in rules), registered in a throwaway repository. */
function gitSecrets(c: Corpus): { mbps: number; hits: Hit[]; timedOut: boolean } | undefined {
  if (spawnSync('git', ['secrets', '--list'], { cwd: c.root }).error || spawnSync('sh', ['-c', 'command -v git-secrets']).status !== 0) return undefined;
  spawnSync('git', ['init', '-q'], { cwd: c.root });
  spawnSync('git', ['secrets', '--register-aws'], { cwd: c.root });
  const r = timed('git', ['secrets', '--scan', '-r', ...c.copyDirs.map((d) => d.slice(c.root.length + 1))], c.root);
  const hits: Hit[] = [];
  for (const l of (r.stdout + r.stderr).split('\n')) {
    const m = /^([^:]+):(\d+):/.exec(l);
    if (m) hits.push({ file: resolve(c.root, m[1]!), line: Number(m[2]) });
  }
  return { mbps: c.bytes / MB / (r.ms / 1000), hits, timedOut: r.timedOut };
}

export async function benchScan(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-scan-'));
  try {
    const c = buildCorpus(join(dir, 'corpus'), join(ROOT, 'node_modules'), 200 * MB, 10 * MB);
    const sizeMb = Math.round(c.bytes / MB);
    // The corpus was just written: flush it to disk first so write-back does not run during the
    // timed scans. This machine is shared and noisy: tessera runs three times and the median counts.
    spawnSync('sync');
    const runs = [tessera(c), tessera(c), tessera(c)];
    const t = [...runs].sort((a, b) => a.mbps - b.mbps)[1]!;
    console.log(`tessera scan runs: ${runs.map((r) => r.mbps.toFixed(1)).join(', ')} MB/s (median counts)`);
    const negatives = t.hits.filter((h) => h.file === c.negativesFile).length;
    const sl = secretlint(c);
    const slPlanted = c.planted.filter((p) => p.copy === 0);
    const gs = gitSecrets(c);
    const out: BenchResult[] = [
      { name: `tessera scan (CLI, --format json), ${sizeMb} MB / ${c.files} files, median of 3`, value: t.mbps, unit: 'MB/s', ratio: t.mbps / sl.mbps, against: 'secretlint' },
      { name: `tessera scan recall on ${c.planted.length} planted credentials`, value: 100 * recall(c.planted, t.hits), unit: '%' },
      { name: 'tessera scan findings on hard negatives (goal 0)', value: negatives, unit: 'findings' },
      { name: `tessera scan findings in total (incl. real node_modules text)`, value: t.hits.length, unit: 'findings' },
      { name: `secretlint (recommended preset), first ${Math.round(c.copyBytes / MB)} MB copy only${sl.timedOut ? ', TIMED OUT at 120 s' : ''}`, value: sl.mbps, unit: 'MB/s' },
      { name: `secretlint recall on ${slPlanted.length} planted credentials in that copy`, value: 100 * recall(slPlanted, sl.hits), unit: '%' },
      { name: 'secretlint findings on hard negatives', value: sl.hits.filter((h) => h.file === c.negativesFile).length, unit: 'findings' },
    ];
    if (gs) {
      out.push({ name: `git secrets --scan (AWS rules), ${sizeMb} MB${gs.timedOut ? ', TIMED OUT at 120 s' : ''}`, value: gs.mbps, unit: 'MB/s' });
      out.push({ name: `git secrets recall on ${c.planted.length} planted credentials`, value: 100 * recall(c.planted, gs.hits), unit: '%' });
    } else console.log('git secrets: skipped (the git-secrets command is not installed)');
    rmSync(dir, { recursive: true, force: true });
    return [...out, ...(await benchScanGit(CLI))];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
