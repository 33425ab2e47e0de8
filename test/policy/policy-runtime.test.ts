import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startPolicyRuntime } from '../../src/policy/policy-runtime.ts';
import { systemClock } from '../../src/shared/clock.ts';
import { isTesseraError } from '../../src/shared/errors.ts';
import { openTestStore, STORE_KINDS, tempDir } from '../helpers/test-store.ts';

const doc = (name: string, condition = 'true', effect = 'allow') => `name: ${name}\nowner: sec\neffect: ${effect}\ncondition: '${condition}'\n`;
const names = (rt: { current(): { policies: readonly { name: string }[] } }) => rt.current().policies.map((p) => p.name);

describe('policy runtime: directory, hot reload', () => {
  test('a bad file never replaces the good set; a fixed file is picked up; the error is exposed', async () => {
    const dir = tempDir('tessera-pol-');
    try {
      writeFileSync(join(dir, 'a.yaml'), doc('team-a') + '---\n' + doc('team-b'));
      const rt = await startPolicyRuntime({ directory: dir, clock: systemClock, defaults: [], intervalMs: 0 });
      assert.deepEqual(names(rt), ['team-a', 'team-b']);
      const good = rt.current();
      writeFileSync(join(dir, 'a.yaml'), doc('team-a', 'subject.tier ==')); // malformed CEL
      const st = await rt.reload();
      assert.equal(st.ok, false);
      assert.match(st.error!, /team-a/);
      assert.equal(rt.current(), good, 'the previous set stays in force');
      writeFileSync(join(dir, 'a.yaml'), doc('team-a', 'subject.tier == 1'));
      const fixed = await rt.reload();
      assert.deepEqual([fixed.ok, fixed.error], [true, null]);
      assert.deepEqual(names(rt), ['team-a']);
      rt.close();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('the watcher notices a change without an explicit reload', async () => {
    const dir = tempDir('tessera-pol-');
    try {
      const rt = await startPolicyRuntime({ directory: dir, clock: systemClock, defaults: [], intervalMs: 50, debounceMs: 10 });
      assert.deepEqual(names(rt), []);
      writeFileSync(join(dir, 'new.yml'), doc('fresh'));
      for (let i = 0; i < 200 && names(rt).length === 0; i++) await sleep(10);
      assert.deepEqual(names(rt), ['fresh']);
      rt.close();
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a bad directory at start-up is refused (no silent fall-back to fewer policies)', async () => {
    const dir = tempDir('tessera-pol-');
    try {
      writeFileSync(join(dir, 'a.yaml'), doc('x') + 'surprise: 1\n');
      await assert.rejects(startPolicyRuntime({ directory: dir, clock: systemClock, intervalMs: 0 }),
        (e: unknown) => isTesseraError(e, 'ERR_INVALID_INPUT') && /a\.yaml#1\.surprise/.test(e.message));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });

  test('a directory policy named like a built-in one is refused', async () => {
    const dir = tempDir('tessera-pol-');
    try {
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'a.yaml'), doc('deny-wildcard-audience'));
      await assert.rejects(startPolicyRuntime({ directory: dir, clock: systemClock, intervalMs: 0 }),
        (e: unknown) => isTesseraError(e, 'ERR_CONFLICT') && /deny-wildcard-audience is defined twice \(in built-in and in policy file a\.yaml\)/.test(e.message));
    } finally { rmSync(dir, { recursive: true, force: true }); }
  });
});

for (const kind of STORE_KINDS) {
  describe(`policy runtime with stored policies (${kind})`, () => {
    test('store + directory name conflict: validate refuses, a reload keeps the good set', async () => {
      const { store, cleanup } = await openTestStore(kind);
      const dir = tempDir('tessera-pol-');
      try {
        writeFileSync(join(dir, 'a.yaml'), doc('shared-name'));
        const rt = await startPolicyRuntime({ directory: dir, repo: store.policies, clock: systemClock, defaults: [], intervalMs: 0 });
        const def = { name: 'shared-name', owner: 'x', effect: 'deny' as const, condition: 'true' };
        await assert.rejects(rt.validate({ put: def }), (e: unknown) => isTesseraError(e, 'ERR_CONFLICT') && /policy file a\.yaml and in the store/.test(e.message));
        // Stored behind the runtime's back (another server, or a file added later): the reload is refused.
        await store.write(async (tx) => store.policies.put(tx, { definition: def, createdAt: 1, createdBy: 't', updatedAt: 1, updatedBy: 't' }));
        const st = await rt.reload();
        assert.equal(st.ok, false);
        assert.match(st.error!, /shared-name is defined twice/);
        assert.deepEqual(names(rt), ['shared-name']);
        assert.equal(rt.current().policies[0]!.effect, 'allow');
        // Removing the file resolves it: the stored one takes over.
        rmSync(join(dir, 'a.yaml'));
        assert.equal((await rt.reload()).ok, true);
        assert.equal(rt.current().policies[0]!.effect, 'deny');
        assert.equal(rt.current().policies[0]!.source, 'the store');
        rt.close();
      } finally { rmSync(dir, { recursive: true, force: true }); await cleanup(); }
    });
  });
}
