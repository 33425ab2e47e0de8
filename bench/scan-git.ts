// `tessera scan --git` over a generated repository of 5,000 commits (built with git fast-import),
// with three planted tokens in early commits that later commits remove.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { checksummedToken } from '../test/scanner/detectors/planted.ts';
import { generateStaticKey } from '../src/identity/static-keys/index.ts';
import type { BenchResult } from './result.ts';

const COMMITS = 5000;

function data(s: string): string {
  return `data ${Buffer.byteLength(s)}\n${s}\n`;
}

/** A fast-import stream: each commit rewrites one of 200 small source files. */
function stream(planted: Map<number, string>): string {
  const parts: string[] = [];
  const t0 = 1_700_000_000;
  for (let i = 1; i <= COMMITS; i++) {
    const file = `src/mod-${i % 200}.js`;
    const lines = [`// module ${i % 200}, revision ${i}`, `export const revision = ${i};`];
    for (let k = 0; k < 8; k++) lines.push(`export function f${k}(x) { return x * ${i + k} + ${k}; } // ${(i * 7919 + k).toString(36)}`);
    const token = planted.get(i);
    if (token !== undefined) lines.push(`const token = '${token}';`);
    parts.push(`commit refs/heads/main\nmark :${i}\ncommitter Bench <bench@example.test> ${t0 + i * 60} +0000\n${data(`change ${i}`)}${i > 1 ? `from :${i - 1}\n` : ''}M 100644 inline ${file}\n${data(lines.join('\n') + '\n')}`);
  }
  return parts.join('');
}

export async function benchScanGit(cli: string[]): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-git-'));
  try {
    const repo = join(dir, 'repo');
    const planted = new Map<number, string>([[3, checksummedToken('ghp_')], [7, checksummedToken('npm_')], [11, generateStaticKey()]]);
    spawnSync('git', ['init', '-q', '-b', 'main', repo]);
    const fi = spawnSync('git', ['fast-import', '--quiet'], { cwd: repo, input: stream(planted) });
    if (fi.status !== 0) throw new Error(`git fast-import failed: ${fi.stderr}`);
    const out = join(dir, 'git.json');
    const t0 = performance.now();
    const r = spawnSync(cli[0]!, [...cli.slice(1), 'scan', '--git', repo, '--format', 'json', '--show-secrets', '--min-confidence', 'low', '--output', out], { encoding: 'utf8' });
    const s = (performance.now() - t0) / 1000;
    if (r.status !== 0 && r.status !== 1) throw new Error(`tessera scan --git failed (${r.status}): ${r.stderr}`);
    const secrets = new Set((JSON.parse(readFileSync(out, 'utf8')) as { findings: { secret: string }[] }).findings.map((f) => f.secret));
    const found = [...planted.values()].filter((t) => secrets.has(t)).length;
    return [
      { name: `tessera scan --git, ${COMMITS} commits`, value: s, unit: 's' },
      { name: `tessera scan --git throughput`, value: COMMITS / s, unit: 'commits/s' },
      { name: `tessera scan --git planted tokens found (of ${planted.size}, in commits 3, 7, 11)`, value: found, unit: 'found' },
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
