import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, writeFile, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { applyGate, readBaseline, writeBaseline, formatText, formatJson, formatSarif, fingerprint, scanPaths } from '../../../src/scanner/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { sarifValidator } from '../../policy/check/sarif-schema.ts';
import { TEST_DETECTORS, TOKEN, TOKEN2 } from './local-detectors.ts';

test('fingerprint depends on secret and path, not on line', () => {
  assert.equal(fingerprint(TOKEN, 'a/b.ts'), fingerprint(TOKEN, 'a/b.ts'));
  assert.notEqual(fingerprint(TOKEN, 'a/b.ts'), fingerprint(TOKEN, 'a/c.ts'));
  assert.notEqual(fingerprint(TOKEN, 'a/b.ts'), fingerprint(TOKEN2, 'a/b.ts'));
});

test('gate: fail-on severity, baseline survives line moves, inline tessera:allow (all or named rules)', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-gate-'));
  const file = join(dir, 'conf.ts');
  await writeFile(file, `a = "${TOKEN}"\npassword = "s3cretpassw0rd"\nb = "${TOKEN2}" // tessera:allow test-github-pat -- fixture\n`);
  let r = await scanPaths([file], { detectors: TEST_DETECTORS });
  let g = applyGate(r.findings, { failOn: 'high' });
  assert.deepEqual(g.open.map((f) => f.detector), ['test-github-pat', 'test-password']);
  assert.deepEqual(g.allowed.map((f) => f.secret), [TOKEN2]);
  assert.deepEqual(g.failing.map((f) => f.detector), ['test-github-pat']);
  assert.equal(g.pass, false);
  assert.equal(applyGate(r.findings, { failOn: 'critical' }).pass, false);
  const onlyMedium = applyGate(r.findings.filter((f) => f.severity === 'medium'), { failOn: 'high' });
  assert.equal(onlyMedium.pass, true);
  assert.equal(onlyMedium.open.length, 1, 'below the threshold: reported, not failing');

  const baseline = join(dir, 'baseline.json');
  assert.equal(await writeBaseline(baseline, g.open), 2);
  // Lines move: the baseline still applies.
  await writeFile(file, `\n\n// moved\na = "${TOKEN}"\npassword = "s3cretpassw0rd"\n`);
  r = await scanPaths([file], { detectors: TEST_DETECTORS });
  g = applyGate(r.findings, { failOn: 'low', baseline: await readBaseline(baseline) });
  assert.equal(g.pass, true);
  assert.equal(g.baselined.length, 2);
  // A new secret is not covered.
  await writeFile(file, `a = "${TOKEN}"\nc = "${TOKEN2}"\n`);
  r = await scanPaths([file], { detectors: TEST_DETECTORS });
  g = applyGate(r.findings, { failOn: 'low', baseline: await readBaseline(baseline) });
  assert.deepEqual(g.failing.map((f) => f.secret), [TOKEN2]);
  // An allow naming another rule does not cover this one.
  await writeFile(file, `c = "${TOKEN2}" // tessera:allow test-password\n`);
  r = await scanPaths([file], { detectors: TEST_DETECTORS });
  assert.equal(applyGate(r.findings, { failOn: 'low' }).pass, false);
  await rm(dir, { recursive: true, force: true });
});

test('gate: findings below --min-confidence are hidden, counted, and never fail', () => {
  const f = (confidence: 'low' | 'medium' | 'high', secret: string) => ({ detector: 'd', line: 1, column: 1, secret, confidence, severity: 'critical' as const, path: 'p', fingerprint: fingerprint(secret, 'p') });
  const g = applyGate([f('low', 'a'), f('medium', 'b'), f('high', 'c')], { failOn: 'low', minConfidence: 'medium' });
  assert.deepEqual(g.hidden.map((x) => x.secret), ['a']);
  assert.deepEqual(g.open.map((x) => x.secret), ['b', 'c']);
  assert.equal(applyGate([f('low', 'a')], { failOn: 'low', minConfidence: 'medium' }).pass, true);
  assert.equal(applyGate([f('low', 'a')], { failOn: 'low' }).pass, false);
  assert.match(formatText(applyGate([f('low', 'a')], { failOn: 'low', minConfidence: 'high' }), [], { files: 1, bytes: 1 }), /1 below the confidence threshold/);
});

test('bad baseline files are refused with ERR_INVALID_INPUT naming --baseline', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-gate-'));
  for (const [name, body] of [['notjson', '{'], ['nolist', '{}'], ['badfp', '{"fingerprints":["zz"]}']] as const) {
    await writeFile(join(dir, name), body);
    await assert.rejects(readBaseline(join(dir, name)), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT' && e.details?.field === '--baseline');
  }
  await assert.rejects(readBaseline(join(dir, 'missing')), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT');
  await rm(dir, { recursive: true, force: true });
});

test('outputs: text and JSON redact secrets; SARIF validates against the 2.1.0 schema', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'tessera-out-'));
  await writeFile(join(dir, 'a #1.ts'), `a = "${TOKEN}"\nb = "${TOKEN2}" // tessera:allow\npassword = "s3cretpassw0rd"\n`);
  const r = await scanPaths([dir], { detectors: TEST_DETECTORS });
  const g = applyGate(r.findings, { failOn: 'high', baseline: new Set([r.findings[2]!.fingerprint]) });
  const stats = { files: r.filesScanned, bytes: r.bytesScanned };
  const text = formatText(g, [{ path: 'x.bin', kind: 'skipped', reason: 'binary' }], stats);
  const json = formatJson(g, r.notices, stats);
  for (const out of [text, json]) {
    assert.ok(!out.includes(TOKEN) && !out.includes(TOKEN2) && !out.includes('s3cretpassw0rd'), out);
  }
  assert.match(text, /CRITICAL test-github-pat .*a #1\.ts:1:6/);
  assert.match(text, /skipped: x\.bin: binary/);
  assert.match(text, /1 finding\(s\), 1 failing the gate \(1 in baseline, 1 allowed inline\)/);
  assert.equal(JSON.parse(json).findings[0].secret.startsWith('ghp_'), true);
  assert.equal(JSON.parse(formatJson(g, [], stats, true)).findings[0].secret, TOKEN);

  const sarif = JSON.parse(formatSarif(g, TEST_DETECTORS, '0.1.0'));
  assert.deepEqual(sarifValidator()(sarif), []);
  assert.ok(!JSON.stringify(sarif).includes(TOKEN));
  const results = sarif.runs[0].results;
  assert.equal(results.length, 3);
  assert.equal(results[0].level, 'error');
  assert.match(results[0].locations[0].physicalLocation.artifactLocation.uri, /a%20%231\.ts$/);
  assert.deepEqual(results.slice(1).map((x: { suppressions: { kind: string }[] }) => x.suppressions[0]!.kind).sort(), ['external', 'inSource']);
  // An empty run is valid too.
  assert.deepEqual(sarifValidator()(JSON.parse(formatSarif(applyGate([], { failOn: 'low' }), TEST_DETECTORS, '0.1.0'))), []);
  await readFile(join(dir, 'a #1.ts'));
  await rm(dir, { recursive: true, force: true });
});
