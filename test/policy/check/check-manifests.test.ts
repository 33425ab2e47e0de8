import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkManifests, fingerprint, formatSarif, formatText, type CheckReport } from '../../../src/policy/check/index.ts';
import { RULES } from '../../../src/policy/workload/index.ts';
import type { ActiveException } from '../../../src/policy/exceptions/index.ts';
import { sarifValidator } from './sarif-schema.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'k8s', 'check');
const BAD = join(FIXTURES, 'bad', 'mixed.yaml');
const NOW = Date.UTC(2030, 5, 1);
const REGISTRY = ['registry.example.com'];

/** 1-based line of the first line matching `re` after the line matching `after`. */
function lineOf(file: string, after: RegExp, re: RegExp): number {
  const lines = readFileSync(file, 'utf8').split('\n');
  const start = lines.findIndex((l) => after.test(l));
  return lines.findIndex((l, i) => i > start && re.test(l)) + 1;
}

const check = (paths: string[], extra: Partial<Parameters<typeof checkManifests>[0]> = {}): CheckReport =>
  checkManifests({ paths, environment: 'prod', approvedRegistries: REGISTRY, now: NOW, baseDir: FIXTURES, ...extra });

describe('policy check over manifests', () => {
  test('compliant Deployment, StatefulSet (JSON), CronJob, Service and ConfigMap, found recursively: no findings, passed', () => {
    const r = check([join(FIXTURES, 'good')]);
    assert.equal(r.passed, true);
    assert.deepEqual(r.findings, []);
    assert.deepEqual(r.summary, { files: 3, objects: 5, enforce: 0, warn: 0, audit: 0, excepted: 0 });
    assert.deepEqual(r.files, ['good/nested/queue.json', 'good/nested/report.yml', 'good/web.yaml']);
  });

  test('a privileged Pod and a hostPath DaemonSet inside a List fail, each finding at the line of its field', () => {
    const r = check([BAD]);
    assert.equal(r.passed, false);
    assert.deepEqual(r.findings.map((f) => [f.file, f.line, f.kind, f.name, f.namespace, f.rule, f.mode]), [
      ['bad/mixed.yaml', lineOf(BAD, /name: debug/, /privileged: true/), 'Pod', 'debug', 'shop', 'pss.privileged', 'enforce'],
      ['bad/mixed.yaml', lineOf(BAD, /name: host-logs/, /hostPath:/), 'DaemonSet', 'node-agent', 'ops', 'pss.host-path', 'enforce'],
    ]);
    assert.equal(r.summary.objects, 3, 'the Job, the Pod and the DaemonSet from the List');
    assert.equal(r.summary.enforce, 2);
    assert.match(r.findings[0]!.message, /privileged/);
  });

  test('a missing field points at its parent; environment matters (default service account only refused in prod)', () => {
    const text = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: p\n  labels: {owner: me}\nspec:\n  containers:\n    - name: c\n      image: registry.example.com/c:1\n';
    const prod = checkManifests({ paths: ['-'], environment: 'prod', approvedRegistries: REGISTRY, now: NOW, baseDir: FIXTURES, readStdin: () => text });
    const rules = prod.findings.map((f) => f.rule);
    assert.ok(rules.includes('identity.dedicated-service-account'));
    assert.ok(rules.includes('pss.run-as-non-root'));
    for (const f of prod.findings) {
      assert.equal(f.file, '-');
      assert.ok([6, 8].includes(f.line), `${f.rule} at ${f.line}`);
    }
    const dev = checkManifests({ paths: ['-'], environment: 'dev', now: NOW, baseDir: FIXTURES, readStdin: () => text });
    assert.ok(!dev.findings.some((f) => f.rule === 'identity.dedicated-service-account'));
  });

  test('an active exception is honoured (finding kept, marked, no longer failing); an expired one is ignored and reported', () => {
    const active: ActiveException = { name: 'debug-pod', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug' }, expiresAt: NOW + 1 };
    const expired: ActiveException = { name: 'agent-logs', policy: 'pss.host-path', scope: { kind: 'DaemonSet', name: 'node-agent' }, expiresAt: NOW };
    const r = check([BAD], { exceptions: [active, expired] });
    assert.equal(r.findings.find((f) => f.rule === 'pss.privileged')?.excepted, 'debug-pod');
    assert.equal(r.findings.find((f) => f.rule === 'pss.host-path')?.excepted, undefined, 'expired at NOW: no longer applies');
    assert.deepEqual(r.ignoredExceptions, [{ name: 'agent-logs', policy: 'pss.host-path', status: 'expired', expiresAt: new Date(NOW).toISOString() }]);
    assert.equal(r.passed, false);
    assert.deepEqual(r.summary, { files: 1, objects: 3, enforce: 1, warn: 0, audit: 0, excepted: 1 });

    const both = check([BAD], { exceptions: [active, { ...expired, expiresAt: NOW + 60_000 }] });
    assert.equal(both.passed, true);
    assert.deepEqual(both.ignoredExceptions, []);
    // A revoked exception is ignored however far its expiry.
    const revoked = check([BAD], { exceptions: [{ ...active, revokedAt: NOW - 1 }] });
    assert.equal(revoked.findings.find((f) => f.rule === 'pss.privileged')?.excepted, undefined);
    assert.equal(revoked.ignoredExceptions[0]?.status, 'revoked');
  });

  test('warn and audit findings are reported but pass', () => {
    const r = check([BAD], { modes: { 'pss.privileged': 'warn', 'pss.host-path': 'audit' } });
    assert.equal(r.passed, true);
    assert.deepEqual(r.summary, { files: 1, objects: 3, enforce: 0, warn: 1, audit: 1, excepted: 0 });
  });

  test('text output: file:line, object, rule, mode, message and a verdict', () => {
    const out = formatText(check([BAD], { exceptions: [{ name: 'gone', policy: 'pss.privileged', scope: { name: 'debug' }, expiresAt: 1 }] }));
    const line = lineOf(BAD, /name: debug/, /privileged: true/);
    assert.match(out, new RegExp(`^bad/mixed\\.yaml:${line}  Pod/debug \\(ns shop\\)  pss\\.privileged  \\[enforce, high\\]  `, 'm'));
    assert.match(out, /^expired exception ignored: gone \(policy pss\.privileged, expires 1970-01-01T00:00:00\.001Z\)$/m);
    assert.match(out, /^1 file, 3 objects: 2 violations, 0 warnings, 0 audit, 0 excepted — FAILED$/m);
  });

  test('SARIF 2.1.0 validates against the OASIS schema, with rules, levels, locations and fingerprints', () => {
    const validate = sarifValidator();
    const report = check([BAD, join(FIXTURES, 'good')], {
      exceptions: [
        { name: 'debug-pod', policy: 'pss.privileged', scope: { name: 'debug' }, expiresAt: NOW + 1 },
        { name: 'gone', policy: 'pss.host-path', scope: { name: 'node-agent' }, expiresAt: NOW - 1 },
      ],
      modes: { 'identity.owner-label': 'warn' },
    });
    const sarif = formatSarif(report, RULES, '0.1.0');
    assert.deepEqual(validate(sarif), []);
    const run = (sarif as { runs: Record<string, any>[] }).runs[0]!;
    const rules = run.tool.driver.rules as Record<string, any>[];
    assert.equal(rules.length, RULES.length);
    const priv = rules.find((x) => x.id === 'pss.privileged')!;
    assert.equal(priv.name, 'PssPrivileged');
    assert.equal(priv.defaultConfiguration.level, 'error');
    assert.equal(priv.properties['security-severity'], '8.0');
    assert.ok(priv.shortDescription.text && priv.fullDescription.text);
    const results = run.results as Record<string, any>[];
    assert.equal(results.length, 2);
    const [p, h] = results as [Record<string, any>, Record<string, any>];
    assert.equal(p.ruleId, 'pss.privileged');
    assert.equal(rules[p.ruleIndex]?.id, 'pss.privileged');
    assert.equal(p.level, 'error');
    assert.deepEqual(p.suppressions, [{ kind: 'external', status: 'accepted', justification: 'policy exception debug-pod' }]);
    assert.equal(p.locations[0].physicalLocation.artifactLocation.uri, 'bad/mixed.yaml');
    assert.equal(p.locations[0].physicalLocation.region.startLine, lineOf(BAD, /name: debug/, /privileged: true/));
    assert.equal(h.suppressions, undefined);
    assert.match(p.partialFingerprints['tesseraFinding/v1'], /^[0-9a-f]{32}$/);
    assert.notEqual(p.partialFingerprints['tesseraFinding/v1'], h.partialFingerprints['tesseraFinding/v1']);
    assert.deepEqual(run.invocations[0].toolExecutionNotifications.map((n: any) => n.message.text),
      [`expired exception ignored: gone (policy pss.host-path, expires ${new Date(NOW - 1).toISOString()})`]);
    assert.equal(run.artifacts.length, 4);
  });

  test('SARIF of a clean run and of stdin validates too; an invalid document is caught by the validator', () => {
    const validate = sarifValidator();
    assert.deepEqual(validate(formatSarif(check([join(FIXTURES, 'good')]), RULES, '0.1.0')), []);
    const stdin = checkManifests({ paths: ['-'], now: NOW, baseDir: FIXTURES, readStdin: () => readFileSync(BAD, 'utf8') });
    assert.deepEqual(validate(formatSarif(stdin, RULES, '0.1.0')), []);
    assert.notDeepEqual(validate({ version: '2.1.0', runs: [{ tool: { driver: {} } }] }), [], 'the validator can fail');
  });

  test('fingerprints ignore the line (a moved block keeps its alert) but not the object or field', () => {
    const f = check([BAD]).findings[0]!;
    assert.equal(fingerprint({ ...f, line: f.line + 10 }), fingerprint(f));
    assert.notEqual(fingerprint({ ...f, name: 'other' }), fingerprint(f));
    assert.notEqual(fingerprint({ ...f, path: 'spec.containers[1].securityContext.privileged' }), fingerprint(f));
  });
});
