import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, test } from 'node:test';
import { DETECTORS, scanText } from '../../../src/scanner/detectors/index.ts';
import { generateStaticKey } from '../../../src/identity/static-keys/index.ts';
import { checksummedToken, plantedSamples, withBadChecksum } from './planted.ts';

const HARD_NEGATIVES = readFileSync(new URL('../../fixtures/scanner/hard-negatives.txt', import.meta.url), 'utf8');

describe('planted corpus', () => {
  const samples = plantedSamples();

  test('there are at least 40 detectors, each with a unique id, a title and keywords', () => {
    assert.ok(DETECTORS.length >= 40, `only ${DETECTORS.length} detectors`);
    assert.equal(new Set(DETECTORS.map((d) => d.id)).size, DETECTORS.length);
    for (const d of DETECTORS) {
      assert.ok(d.title.length > 0 && d.keywords.length > 0, d.id);
      assert.ok(d.pattern.flags.includes('g') && !d.pattern.flags.includes('y'), `${d.id} pattern must be global, not sticky`);
      for (const k of d.keywords) assert.equal(k, k.toLowerCase(), `${d.id} keyword ${k} must be lower case`);
    }
  });

  test('every detector has a planted sample', () => {
    const covered = new Set(samples.map((s) => s.detector));
    assert.deepEqual(DETECTORS.map((d) => d.id).filter((id) => !covered.has(id)), []);
  });

  for (const s of samples) {
    test(`${s.detector} fires on its sample, and only the expected detectors fire`, () => {
      const findings = scanText(s.text);
      const mine = findings.filter((f) => f.detector === s.detector);
      assert.equal(mine.length, 1, `${s.detector}: ${JSON.stringify(findings.map((f) => f.detector))}`);
      if (s.secret !== '') assert.equal(mine[0]?.secret, s.secret);
      assert.notEqual(mine[0]?.confidence, 'low', 'planted credentials are reported at medium or high confidence');
      assert.deepEqual(findings.map((f) => f.detector).filter((id) => id !== s.detector).sort(), [...(s.also ?? [])].sort());
    });
  }

  test('a keyword of the firing detector occurs in every sample (the prefilter never hides a finding)', () => {
    for (const s of samples) {
      const d = DETECTORS.find((x) => x.id === s.detector);
      assert.ok(d?.keywords.some((k) => s.text.toLowerCase().includes(k)), s.detector);
    }
  });

  test('all samples concatenated give the same findings as each sample alone', () => {
    const alone = samples.flatMap((s) => scanText(s.text).map((f) => `${f.detector}:${f.secret}`)).sort();
    const together = scanText(samples.map((s) => s.text).join('\n\n')).map((f) => `${f.detector}:${f.secret}`).sort();
    assert.deepEqual(together, alone);
  });
});

describe('hard-negative corpus', () => {
  test('the committed hard negatives give zero findings', () => {
    assert.deepEqual(scanText(HARD_NEGATIVES), []);
  });

  test('valid-format tokens with a wrong checksum give zero findings, also as assignments', () => {
    const tokens = ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_'].map((p) => withBadChecksum(checksummedToken(p)));
    tokens.push(withBadChecksum(generateStaticKey()));
    const text = tokens.map((t, i) => `TOKEN_${i}=${t}\napi_token: "${t}"\n${t}`).join('\n');
    assert.deepEqual(scanText(text), []);
  });

  test('each hard-negative line alone gives zero findings too', () => {
    const offending = HARD_NEGATIVES.split('\n').filter((l) => scanText(l).length > 0);
    assert.deepEqual(offending, []);
  });
});
