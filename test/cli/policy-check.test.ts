import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { MAX_FILE_BYTES } from '../../src/policy/check/load-manifests.ts';
import { runCli } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { sarifValidator } from '../policy/check/sarif-schema.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const FIXTURES = join(ROOT, 'test', 'fixtures', 'k8s', 'check');
const BAD = join(FIXTURES, 'bad', 'mixed.yaml');
const GOOD = join(FIXTURES, 'good');
const common = ['--env', 'prod', '--approved-registry', 'registry.example.com', '--base', FIXTURES];
const check = (...args: string[]) => runCli(['policy', 'check', ...args, ...common]);

function exceptionsFile(entries: object[]): string {
  const f = join(tempDir('tessera-check-cli-'), 'exceptions.yaml');
  writeFileSync(f, JSON.stringify(entries));
  return f;
}

/** The real binary with standard input piped (the in-process runner has no stdin). */
function runWithStdin(args: string[], input: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const p = spawn(process.execPath, ['--disable-warning=ExperimentalWarning', join(ROOT, 'src', 'cli', 'main.ts'), ...args],
      { env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code, stdout, stderr }));
    p.stdin.end(input);
  });
}

describe('tessera policy check', () => {
  test('a bad manifest fails the job (exit 1) naming file, line, object and rule', async () => {
    const r = await check(BAD);
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^bad\/mixed\.yaml:\d+  Pod\/debug \(ns shop\)  pss\.privileged  \[enforce, high\]  container shell is privileged$/m);
    assert.match(r.stdout, /^bad\/mixed\.yaml:\d+  DaemonSet\/node-agent \(ns ops\)  pss\.host-path  /m);
    assert.match(r.stdout, /FAILED$/m);
  });

  test('good manifests pass (exit 0), directory searched recursively', async () => {
    const r = await check(GOOD);
    assert.equal(r.code, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /^3 files, 5 objects: 0 violations, 0 warnings, 0 audit, 0 excepted — PASSED$/m);
  });

  test('--format json: the report shape', async () => {
    const r = await check(BAD, GOOD, '--format', 'json');
    assert.equal(r.code, 1);
    const j = JSON.parse(r.stdout);
    assert.deepEqual(Object.keys(j).sort(), ['environment', 'files', 'findings', 'ignoredExceptions', 'passed', 'skipped', 'summary']);
    assert.equal(j.environment, 'prod');
    assert.equal(j.passed, false);
    assert.deepEqual(j.summary, { files: 4, objects: 8, enforce: 2, warn: 0, audit: 0, excepted: 0 });
    assert.deepEqual(Object.keys(j.findings[0]).sort(), ['file', 'kind', 'line', 'message', 'mode', 'name', 'namespace', 'path', 'rule', 'severity']);
  });

  test('--format sarif --output FILE: a valid SARIF 2.1.0 file, the summary on stdout', async () => {
    const out = join(tempDir('tessera-check-cli-'), 'tessera.sarif');
    const r = await check(BAD, '--format', 'sarif', '--output', out);
    assert.equal(r.code, 1);
    assert.match(r.stdout, /^1 file, 3 objects: 2 violations.*FAILED\n$/);
    const sarif = JSON.parse(readFileSync(out, 'utf8'));
    assert.deepEqual(sarifValidator()(sarif), []);
    assert.deepEqual(sarif.runs[0].results.map((x: { ruleId: string }) => x.ruleId), ['pss.privileged', 'pss.host-path']);
  });

  test('--exceptions: an active exception is honoured, an expired one is ignored and reported', async () => {
    const future = new Date(Date.now() + 86_400_000).toISOString();
    const past = new Date(Date.now() - 1000).toISOString();
    const file = exceptionsFile([
      { name: 'debug-pod', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug' }, expiresAt: future },
      { name: 'agent-logs', policy: 'pss.host-path', scope: { name: 'node-agent' }, expiresAt: past },
    ]);
    const r = await check(BAD, '--exceptions', file);
    assert.equal(r.code, 1, 'the expired exception does not save the DaemonSet');
    assert.match(r.stdout, /pss\.privileged  \[excepted by debug-pod\]/);
    assert.match(r.stdout, /pss\.host-path  \[enforce, high\]/);
    assert.match(r.stdout, /^expired exception ignored: agent-logs \(policy pss\.host-path/m);

    const ok = await check(BAD, '--exceptions', exceptionsFile([
      { name: 'debug-pod', policy: 'pss.privileged', scope: { name: 'debug' }, expiresAt: future },
      { name: 'agent-logs', policy: 'pss.host-path', scope: { name: 'node-agent' }, expiresAt: future },
    ]));
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /2 excepted — PASSED$/m);
  });

  test('--mode turns a rule into a warning: printed, but the job passes', async () => {
    const r = await check(BAD, '--mode', 'pss.privileged=warn', '--mode', 'pss.host-path=audit');
    assert.equal(r.code, 0, r.stdout);
    assert.match(r.stdout, /\[warn, high\]/);
    assert.match(r.stdout, /0 violations, 1 warning, 1 audit/);
  });

  test('- reads standard input (the real binary)', async () => {
    const r = await runWithStdin(['policy', 'check', '-', '--env', 'prod'], readFileSync(BAD, 'utf8'));
    assert.equal(r.code, 1, r.stderr);
    assert.match(r.stdout, /^-:\d+  Pod\/debug \(ns shop\)  pss\.privileged/m);
  });

  test('--help', async () => {
    const r = await runCli(['policy', 'check', '--help']);
    assert.equal(r.code, 0);
    assert.match(r.stdout, /^Usage: tessera policy check FILE\|DIR\|-/);
    assert.match(r.stdout, /--format F/);
  });

  const usage: [string, string[], RegExp][] = [
    ['an unknown flag', [GOOD, '--fromat', 'sarif'], /--fromat/],
    ['no path', [], /needs a FILE, DIR or -/],
    ['a missing file', [join(FIXTURES, 'nope.yaml')], /nope\.yaml: cannot read \(ENOENT\)/],
    ['an unknown format', [GOOD, '--format', 'xml'], /--format: "xml" must be one of text, json, sarif/],
    ['an unknown rule in --mode', [GOOD, '--mode', 'pss.nope=warn'], /--mode: unknown rule "pss\.nope"/],
    ['a bad mode', [GOOD, '--mode', 'pss.privileged=off'], /--mode: "off" for pss\.privileged/],
    ['stdin twice', ['-', '-'], /standard input \(-\) can be read once/],
  ];
  for (const [name, args, re] of usage) {
    test(`${name} is a usage error (exit 2)`, async () => {
      const r = await check(...args);
      assert.equal(r.code, 2, r.stdout + r.stderr);
      assert.match(r.stderr, re);
      assert.equal(r.stdout, '');
    });
  }

  test('unparsable YAML is exit 2 naming file and line; nothing is reported as passed', async () => {
    const dir = tempDir('tessera-check-cli-');
    writeFileSync(join(dir, 'ok.yaml'), readFileSync(join(GOOD, 'web.yaml')));
    writeFileSync(join(dir, 'broken.yaml'), 'apiVersion: v1\nkind: Pod\nmetadata: {name: a\n');
    const r = await runCli(['policy', 'check', dir, '--base', dir]);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /broken\.yaml:\d+:\d+: invalid YAML/);
    assert.equal(r.stdout, '');
  });

  test('an unreadable or oversized file, or a bad exceptions file, is exit 2', async () => {
    const dir = tempDir('tessera-check-cli-');
    // Unreadable even for root: a path that runs through a regular file (ENOTDIR).
    const f = join(dir, 'plain.yaml');
    writeFileSync(f, readFileSync(BAD));
    const through = await check(join(f, 'inner.yaml'));
    assert.equal(through.code, 2);
    assert.match(through.stderr, /plain\.yaml\/inner\.yaml/);
    // Larger than any hand-written manifest: refused before it is read (a sparse file, instant).
    const huge = join(dir, 'huge.yaml');
    writeFileSync(huge, '');
    truncateSync(huge, MAX_FILE_BYTES + 1);
    const big = await check(huge);
    assert.equal(big.code, 2);
    assert.match(big.stderr, /huge\.yaml: larger than \d+ bytes/);
    const noExpiry = exceptionsFile([{ name: 'forever', policy: 'pss.privileged', scope: { name: 'debug' } }]);
    const r2 = await check(BAD, '--exceptions', noExpiry);
    assert.equal(r2.code, 2);
    assert.match(r2.stderr, /\[0\]\.expiresAt: is required/);
    const r3 = await check(BAD, '--exceptions', join(dir, 'missing.yaml'));
    assert.equal(r3.code, 2);
    assert.match(r3.stderr, /missing\.yaml: cannot read/);
  });
});
