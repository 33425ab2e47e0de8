// approvedRegistries and workloadModes: the admission webhook's configuration keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/temp.ts';

function refused(fn: () => unknown, field: string, rule: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, 'ERR_CONFIG');
    assert.equal(e.details?.field, field);
    assert.match(e.message, rule);
    return true;
  });
}

test('defaults: no approved registries (the rule is off), no mode overrides', () => {
  const c = loadConfig({}, {});
  assert.deepEqual(c.approvedRegistries, []);
  assert.deepEqual(c.workloadModes, {});
});

test('set from TESSERA_* variables (comma lists) and from tessera.yaml (list and map)', () => {
  const env = loadConfig({}, { TESSERA_APPROVED_REGISTRIES: 'ghcr.io/acme/, registry.example.com:5000', TESSERA_WORKLOAD_MODES: 'identity.owner-label=warn,pss.sysctls=audit' });
  assert.deepEqual(env.approvedRegistries, ['ghcr.io/acme', 'registry.example.com:5000']);
  assert.deepEqual(env.workloadModes, { 'identity.owner-label': 'warn', 'pss.sysctls': 'audit' });
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'approvedRegistries: [ghcr.io/acme]\nworkloadModes:\n  pss.seccomp: warn\n');
    const c = loadConfig({ dataDir: dir }, {});
    assert.deepEqual(c.approvedRegistries, ['ghcr.io/acme']);
    assert.deepEqual(c.workloadModes, { 'pss.seccomp': 'warn' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bad values are refused, naming the key', () => {
  refused(() => loadConfig({}, { TESSERA_APPROVED_REGISTRIES: 'https://ghcr.io' }), 'TESSERA_APPROVED_REGISTRIES', /list of registries/);
  refused(() => loadConfig({}, { TESSERA_WORKLOAD_MODES: 'pss.nope=warn' }), 'TESSERA_WORKLOAD_MODES', /unknown workload rule pss\.nope/);
  refused(() => loadConfig({}, { TESSERA_WORKLOAD_MODES: 'pss.seccomp=off' }), 'TESSERA_WORKLOAD_MODES', /enforce, warn or audit/);
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'approvedRegistries: ghcr.io/ACME\n');
    refused(() => loadConfig({ dataDir: dir }, {}), 'approvedRegistries', /list of registries/);
    writeFileSync(join(dir, 'tessera.yaml'), 'workloadModes: [warn]\n');
    refused(() => loadConfig({ dataDir: dir }, {}), 'workloadModes', /map workload rule ids/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
