// The secret-scanner benchmark corpus: real text from the project's own node_modules, repeated into
// copies until it reaches the target size, with planted credentials (recorded by file and line
// range) and hard negatives (right shape, wrong checksum; documentation example keys).
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { randomInt } from 'node:crypto';
import { checksummedToken, plantedSamples, withBadChecksum } from '../test/scanner/detectors/planted.ts';
import { generateStaticKey } from '../src/identity/static-keys/index.ts';

export interface PlantedAt { file: string; from: number; to: number; secret: string; detector: string; copy: number }
export interface Corpus { root: string; bytes: number; files: number; planted: PlantedAt[]; negativesFile: string; copyDirs: string[]; copyBytes: number }

const TEXT = /\.(js|mjs|cjs|ts|json|md)$/;

/** Text files under node_modules, in a stable order, until `budget` bytes (one copy's worth). */
function baseFiles(nodeModules: string, budget: number): { rel: string; text: string }[] {
  const out: { rel: string; text: string }[] = [];
  let total = 0;
  const walk = (dir: string): void => {
    for (const e of readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      if (total >= budget) return;
      const p = join(dir, e.name);
      if (e.isDirectory()) { if (e.name !== '.bin' && e.name !== '.cache') walk(p); continue; }
      if (!e.isFile() || !TEXT.test(e.name)) continue;
      const size = statSync(p).size;
      if (size === 0 || size > 2 * 1024 * 1024) continue;
      // Nested node_modules folders are renamed: some scanners skip them by default.
      out.push({ rel: relative(nodeModules, p).replaceAll('node_modules', 'nm'), text: readFileSync(p, 'utf8') });
      total += size;
    }
  };
  walk(nodeModules);
  return out;
}

/** Hard negatives: every one must produce no finding. */
function hardNegatives(): string {
  const lines: string[] = ['# Hard negatives: valid shapes with wrong checksums, and documentation example keys.'];
  for (let i = 0; i < 20; i++) {
    lines.push(`GITHUB_TOKEN=${withBadChecksum(checksummedToken('ghp_'))}`);
    lines.push(`//registry.npmjs.org/:_authToken=${withBadChecksum(checksummedToken('npm_'))}`);
    lines.push(`TESSERA_KEY=${withBadChecksum(generateStaticKey())}`);
  }
  lines.push(
    'aws_access_key_id = AKIAIOSFODNN7EXAMPLE',
    'aws_secret_access_key = wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY',
    'GITHUB_TOKEN=ghp_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx',
    'Stripe.api_key = "sk_live_your_secret_key_here_0000"',
    'SLACK_BOT_TOKEN=xoxb-your-bot-token-here',
    'password: "changeme"',
    'DATABASE_URL=postgres://user:password@localhost:5432/db',
    'api_key: ${API_KEY}',
    'token: "{{ secrets.GITHUB_TOKEN }}"',
    '"integrity": "sha512-Q4dbbpvl8tVBmG2NunHMxvIK5Y5vbYfTUbkB5Ylw4Ct3SbNsAWH9e2pU3QTBpTIk0LBTqcJ2AQjT4mDNcmWVsA=="',
  );
  return lines.join('\n') + '\n';
}

/** Writes the corpus under `root`: copies of the base text until `targetBytes`, ~`perCopy` plants each. */
export function buildCorpus(root: string, nodeModules: string, targetBytes: number, copyBudget: number): Corpus {
  const base = baseFiles(nodeModules, copyBudget);
  const copyBytes = base.reduce((n, f) => n + Buffer.byteLength(f.text), 0);
  const copies = Math.ceil(targetBytes / copyBytes);
  const textual = base.flatMap((f, i) => (f.text.slice(0, 8000).includes('\0') ? [] : [i]));
  const planted: PlantedAt[] = [];
  const copyDirs: string[] = [];
  let bytes = 0;
  let files = 0;
  for (let c = 0; c < copies; c++) {
    const dir = join(root, `copy-${c}`);
    copyDirs.push(dir);
    // Plant every detector's samples into randomly chosen files of this copy, appended at the end;
    // never into a file every scanner skips as binary (a NUL byte near the start), which no tool can find.
    const extra = new Map<number, { text: string; at: PlantedAt }[]>();
    for (const s of plantedSamples()) {
      const i = textual[randomInt(textual.length)]!;
      const at: PlantedAt = { file: '', from: 0, to: 0, secret: s.secret, detector: s.detector, copy: c };
      planted.push(at);
      extra.set(i, [...(extra.get(i) ?? []), { text: s.text, at }]);
    }
    base.forEach((f, i) => {
      const file = join(dir, f.rel);
      let text = f.text.endsWith('\n') ? f.text : f.text + '\n';
      let line = text.split('\n').length; // the next line's number
      for (const { text: sample, at } of extra.get(i) ?? []) {
        const n = sample.split('\n').length;
        Object.assign(at, { file, from: line, to: line + n - 1 });
        text += sample + '\n';
        line += n;
      }
      mkdirSync(dirname(file), { recursive: true });
      writeFileSync(file, text);
      bytes += Buffer.byteLength(text);
      files++;
    });
  }
  const negativesFile = join(root, 'copy-0', 'negatives', 'config.env');
  mkdirSync(dirname(negativesFile), { recursive: true });
  const neg = hardNegatives();
  writeFileSync(negativesFile, neg);
  return { root, bytes: bytes + neg.length, files: files + 1, planted, negativesFile, copyDirs, copyBytes };
}

/** A planted credential counts as found if a finding is in its file within its lines, or has its secret. */
export function recall(planted: readonly PlantedAt[], findings: readonly { file: string; line: number; secret?: string }[]): number {
  const byFile = new Map<string, { line: number; secret?: string }[]>();
  for (const f of findings) byFile.set(f.file, [...(byFile.get(f.file) ?? []), f]);
  let found = 0;
  for (const p of planted) {
    const hits = byFile.get(p.file) ?? [];
    if (hits.some((h) => (h.line >= p.from && h.line <= p.to) || (p.secret !== '' && h.secret === p.secret))) found++;
  }
  return planted.length === 0 ? 0 : found / planted.length;
}
