// admissionAuth: how the admission webhook routes authenticate (token | none).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig } from '../../src/config/load-config.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/temp.ts';
import { runCli } from '../helpers/cli.ts';

function refused(fn: () => unknown, field: string, rule: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, 'ERR_CONFIG');
    assert.equal(e.details?.field, field);
    assert.match(e.message, rule);
    return true;
  });
}

test('default token; none from the flag, TESSERA_ADMISSION_AUTH or tessera.yaml', () => {
  assert.equal(loadConfig({}, {}).admissionAuth, 'token');
  assert.equal(loadConfig({ admissionAuth: 'none' }, {}).admissionAuth, 'none');
  assert.equal(loadConfig({}, { TESSERA_ADMISSION_AUTH: 'none' }).admissionAuth, 'none');
  assert.equal(loadConfig({ admissionAuth: 'token' }, { TESSERA_ADMISSION_AUTH: 'none' }).admissionAuth, 'token');
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'admissionAuth: none\n');
    assert.equal(loadConfig({ dataDir: dir }, {}).admissionAuth, 'none');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('bad values are refused, naming the key where it came from', () => {
  refused(() => loadConfig({ admissionAuth: 'off' }, {}), '--admission-auth', /must be token .* or none/);
  refused(() => loadConfig({ admissionAuth: '' }, {}), '--admission-auth', /must be token/);
  refused(() => loadConfig({}, { TESSERA_ADMISSION_AUTH: 'None' }), 'TESSERA_ADMISSION_AUTH', /must be token/);
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'admissionAuth: false\n');
    refused(() => loadConfig({ dataDir: dir }, {}), 'admissionAuth', /tessera\.yaml: admissionAuth: must be token/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('tessera server --admission-auth with a bad value exits 2 before anything is created', async () => {
  const dir = join(tempDir(), 'data');
  try {
    const r = await runCli(['server', '--data-dir', dir, '--admission-auth', 'anonymous']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /flag: --admission-auth: must be token/);
    assert.match(r.stderr, /ERR_CONFIG/);
    assert.equal(existsSync(dir), false);
    const help = await runCli(['server', '--help']);
    assert.match(help.stdout, /--admission-auth MODE/);
  } finally { rmSync(join(dir, '..'), { recursive: true, force: true }); }
});
