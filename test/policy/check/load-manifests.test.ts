import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { collectFiles, parseManifests, splitPath } from '../../../src/policy/check/load-manifests.ts';
import { isTesseraError } from '../../../src/shared/errors.ts';
import { tempDir } from '../../helpers/temp.ts';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'k8s', 'check');

const MULTI = `# leading comment
apiVersion: v1
kind: Pod
metadata:
  name: a
spec:
  containers:
    - name: c0
      image: x
    - name: c1
      image: y
      securityContext:
        privileged: true
---
---
# only a comment: an empty document
---
replicas: 3
---
apiVersion: v1
kind: List
items:
  - apiVersion: v1
    kind: ConfigMap
    metadata: {name: one}
  - apiVersion: v1
    kind: Secret
    metadata:
      name: two
  - 42
`;

describe('policy check: reading manifests', () => {
  test('multi-document YAML: objects with their start lines; empty documents ignored; non-objects skipped and reported', () => {
    const { objects, skipped } = parseManifests('m.yaml', MULTI);
    assert.deepEqual(objects.map((o) => [o.object.kind, (o.object.metadata as { name: string }).name, o.line]),
      [['Pod', 'a', 2], ['ConfigMap', 'one', 23], ['Secret', 'two', 26]]);
    assert.deepEqual(skipped, [
      { file: 'm.yaml', line: 18, reason: 'not a Kubernetes object (no apiVersion and kind)' },
      { file: 'm.yaml', line: 30, reason: 'List item is not a Kubernetes object' },
    ]);
  });

  test('a finding path resolves to the line of the field, or of its deepest existing parent', () => {
    const pod = parseManifests('m.yaml', MULTI).objects[0]!;
    assert.equal(pod.lineOf('spec.containers[1].securityContext.privileged'), 13);
    assert.equal(pod.lineOf('spec.containers[1].image'), 11);
    assert.equal(pod.lineOf('spec.containers[0]'), 8);
    assert.equal(pod.lineOf('spec.containers[0].securityContext.runAsNonRoot'), 8, 'missing: the container');
    assert.equal(pod.lineOf('spec.securityContext.seccompProfile'), 6, 'missing: spec');
    assert.equal(pod.lineOf('metadata.labels.owner'), 4);
    assert.equal(pod.lineOf(''), 2);
    const secret = parseManifests('m.yaml', MULTI).objects[2]!;
    assert.equal(secret.lineOf('metadata.name'), 29, 'paths inside a List item are offset into items[i]');
  });

  test('splitPath handles dots and indexes', () => {
    assert.deepEqual(splitPath('spec.template.spec.containers[0].ports[12].hostPort'),
      ['spec', 'template', 'spec', 'containers', 0, 'ports', 12, 'hostPort']);
    assert.deepEqual(splitPath(''), []);
  });

  test('JSON is read as YAML', () => {
    const { objects } = parseManifests('x.json', '{"apiVersion":"v1","kind":"Pod","metadata":{"name":"j"}}');
    assert.equal(objects.length, 1);
    assert.equal(objects[0]!.line, 1);
  });

  for (const [name, text, line] of [
    ['a bad indent', 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: a\n   bad: indent\n', 4],
    ['an unclosed flow mapping in the second document', 'apiVersion: v1\nkind: Pod\n---\nmetadata: {name: a\n', 5],
    ['a duplicate key', 'apiVersion: v1\nkind: Pod\nkind: Service\n', 3],
  ] as const) {
    test(`unparsable YAML (${name}) is ERR_INVALID_INPUT naming file and line`, () => {
      assert.throws(() => parseManifests('deploy/app.yaml', text), (e) => {
        assert.ok(isTesseraError(e, 'ERR_INVALID_INPUT'));
        assert.match(e.message, new RegExp(`^deploy/app\\.yaml:${line}:\\d+: invalid YAML`));
        assert.equal(e.details?.field, `deploy/app.yaml:${line}`);
        return true;
      });
    });
  }

  test('directories are walked recursively in a stable order; other extensions, hidden folders and node_modules skipped', () => {
    const dir = tempDir('tessera-check-');
    mkdirSync(join(dir, 'b', 'deep'), { recursive: true });
    mkdirSync(join(dir, '.git'));
    mkdirSync(join(dir, 'node_modules'));
    for (const f of ['z.yaml', 'a.YML', 'b/deep/c.json', 'b/notes.txt', '.git/x.yaml', 'node_modules/y.yaml', 'b/d.yml']) writeFileSync(join(dir, f), '');
    symlinkSync(dir, join(dir, 'b', 'loop'));
    assert.deepEqual(collectFiles([dir]).map((f) => f.slice(dir.length + 1)), ['a.YML', 'b/d.yml', 'b/deep/c.json', 'z.yaml']);
    // An explicit file is read whatever its extension.
    assert.deepEqual(collectFiles([join(dir, 'b', 'notes.txt')]), [join(dir, 'b', 'notes.txt')]);
    assert.deepEqual(collectFiles(['-']), ['-']);
  });

  test('a missing path, or a folder with no manifests, is ERR_INVALID_INPUT naming it', () => {
    const dir = tempDir('tessera-check-');
    assert.throws(() => collectFiles([join(dir, 'nope.yaml')]), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && /nope\.yaml: cannot read \(ENOENT\)/.test(e.message));
    assert.throws(() => collectFiles([dir]), (e) => isTesseraError(e, 'ERR_INVALID_INPUT') && /no \*\.yaml, \*\.yml or \*\.json manifests found/.test(e.message));
  });

  test('the fixtures folder is found in full', () => {
    const files = collectFiles([join(FIXTURES, 'good')]).map((f) => f.slice(FIXTURES.length + 1));
    assert.deepEqual(files, ['good/nested/queue.json', 'good/nested/report.yml', 'good/web.yaml']);
  });
});
