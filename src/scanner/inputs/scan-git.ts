import { spawn } from 'node:child_process';
import { Readable } from 'node:stream';
import { parseDiff, COMMIT_FORMAT } from './parse-diff.ts';
import { scanStream } from '../engine/scan-stream.ts';
import type { DetectorLike, ScanResult } from '../engine/types.ts';

export interface GitScanOptions {
  detectors: readonly DetectorLike[];
  /** The repository (any folder inside it). */
  repo: string;
  /** Refs whose history is scanned; none = every ref (`--all`). */
  refs?: string[];
}

/**
 * Scans every line added by every commit reachable from the refs, reporting the commit, its
 * author and date. Reads `git log -p` as a stream. A corrupt or empty repository gives a notice
 * (with git's own words) and whatever was found before git stopped.
 */
export async function scanGitHistory(opts: GitScanOptions): Promise<ScanResult> {
  const refs = opts.refs && opts.refs.length > 0 ? [...opts.refs, '--'] : ['--all'];
  const args = ['-c', 'core.quotePath=false', 'log', '-p', '-U0', '--no-color', '--no-ext-diff', '--no-textconv',
    '--no-renames', '--diff-filter=AMC', `--format=${COMMIT_FORMAT}`, ...refs];
  const result = await scanDiffCommand(opts.repo, args, opts.detectors, 'history');
  if (result.notices.some((n) => n.kind === 'error')) await salvage(opts, refs, result);
  return result;
}

/**
 * git log stops at the first unreadable object. Walk the commit list instead and read each
 * commit not yet seen on its own, so one broken object costs one commit, not the rest of history.
 */
async function salvage(opts: GitScanOptions, refs: string[], result: ScanResult): Promise<void> {
  const list = await run(opts.repo, ['rev-list', '--no-merges', ...refs]);
  const seen = new Set(result.findings.map((f) => f.commit));
  const commits = list.stdout.split('\n').filter((c) => /^[0-9a-f]{40,64}$/.test(c));
  if (list.code !== 0) result.notices.push({ path: opts.repo, kind: 'error', reason: `git rev-list failed: ${list.stderr.trim().split('\n')[0] ?? ''}` });
  for (const c of commits) {
    if (seen.has(c)) continue;
    const one = await scanDiffCommand(opts.repo, ['-c', 'core.quotePath=false', 'show', '-p', '-U0', '--no-color', '--no-ext-diff', '--no-textconv',
      '--no-renames', '--diff-filter=AMC', `--format=${COMMIT_FORMAT}`, c, '--'], opts.detectors, `commit ${c.slice(0, 12)}`);
    const known = new Set(result.findings.map((f) => `${f.commit}\0${f.path}\0${f.line}\0${f.detector}`));
    result.findings.push(...one.findings.filter((f) => !known.has(`${f.commit}\0${f.path}\0${f.line}\0${f.detector}`)));
    result.notices.push(...one.notices);
    result.bytesScanned += one.bytesScanned;
    result.filesScanned += one.filesScanned;
  }
}

/** Scans the lines added in the index (what `git commit` would record): the pre-commit gate. */
export async function scanGitStaged(opts: Omit<GitScanOptions, 'refs'>): Promise<ScanResult> {
  const args = ['-c', 'core.quotePath=false', 'diff', '--cached', '-U0', '--no-color', '--no-ext-diff', '--no-textconv', '--diff-filter=AMC'];
  return scanDiffCommand(opts.repo, args, opts.detectors, 'staged');
}

async function scanDiffCommand(repo: string, args: string[], detectors: readonly DetectorLike[], what: string): Promise<ScanResult> {
  const result: ScanResult = { findings: [], notices: [], filesScanned: 0, bytesScanned: 0 };
  const probe = await run(repo, ['rev-parse', '--git-dir']);
  if (probe.code !== 0) {
    result.notices.push({ path: repo, kind: 'error', reason: `not a git repository or unreadable: ${probe.stderr.trim() || `git exited ${probe.code}`}` });
    return result;
  }
  const child = spawn('git', args, { cwd: repo, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (d: string) => { if (stderr.length < 4096) stderr += d; });
  const exited = new Promise<number>((resolve) => {
    child.on('close', (code) => resolve(code ?? 1));
    child.on('error', (e) => { stderr += e.message; resolve(127); });
  });
  const blocks = new Set<string>();
  for await (const b of parseDiff(child.stdout)) {
    const text = b.lines.join('\n');
    const r = await scanStream(Readable.from([Buffer.from(text)]), b.path, detectors, {
      allowBinary: true,
      mapLine: (n) => b.lineNumbers[n - 1] ?? n,
      ...(b.commit ? { extra: { commit: b.commit, author: b.author!, date: b.date! } } : {}),
    });
    blocks.add(`${b.commit ?? ''}\0${b.path}`);
    result.bytesScanned += r.bytes;
    result.findings.push(...r.findings);
  }
  result.filesScanned = blocks.size;
  const code = await exited;
  if (code !== 0) {
    const msg = stderr.trim().split('\n').slice(0, 3).join('; ');
    result.notices.push({ path: repo, kind: 'error', reason: `git ${what} could not be read in full (repository corrupt?): ${msg || `git exited ${code}`}` });
  } else if (what === 'history' && blocks.size === 0 && (await run(repo, ['rev-parse', '--verify', '-q', 'HEAD'])).code !== 0
    && (await run(repo, ['for-each-ref', '--count=1'])).stdout.trim() === '') {
    result.notices.push({ path: repo, kind: 'skipped', reason: 'the repository has no commits' });
  }
  return result;
}

function run(cwd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('git', args, { cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '', stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => { stdout += d; });
    child.stderr.setEncoding('utf8').on('data', (d: string) => { stderr += d; });
    child.on('error', (e) => resolve({ code: 127, stdout, stderr: e.message }));
    child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
  });
}
