import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { loadConfig, checkServerConfig } from '../../src/config/load-config.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/temp.ts';

function refused(fn: () => unknown, field: string, rule?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError);
    assert.equal(e.code, 'ERR_CONFIG');
    assert.equal(e.details?.field, field);
    if (rule) assert.match(e.message, rule);
    return true;
  });
}

test('defaults: ./.tessera, 127.0.0.1:8080, tessera.local', () => {
  const c = loadConfig({}, {});
  assert.equal(c.dataDir, resolve('./.tessera'));
  assert.deepEqual(c.listen, { host: '127.0.0.1', port: 8080 });
  assert.equal(c.trustDomain, 'tessera.local');
  assert.equal(c.databaseUrl, undefined);
  assert.equal(c.adminTokenTtl, 600);
  assert.equal(c.insecureHttp, false);
});

test('precedence: flags > TESSERA_* > tessera.yaml > defaults', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'trustDomain: from-file.example\nlisten: 127.0.0.1:9000\nlogLevel: debug\n');
    const fileOnly = loadConfig({ dataDir: dir }, {});
    assert.equal(fileOnly.trustDomain, 'from-file.example');
    assert.equal(fileOnly.logLevel, 'debug');
    const envOverFile = loadConfig({ dataDir: dir }, { TESSERA_TRUST_DOMAIN: 'from-env.example' });
    assert.equal(envOverFile.trustDomain, 'from-env.example');
    assert.deepEqual(envOverFile.listen, { host: '127.0.0.1', port: 9000 });
    const flagOverEnv = loadConfig({ dataDir: dir, trustDomain: 'from-flag.example' }, { TESSERA_TRUST_DOMAIN: 'from-env.example' });
    assert.equal(flagOverEnv.trustDomain, 'from-flag.example');
    const envDataDir = loadConfig({}, { TESSERA_DATA_DIR: dir });
    assert.equal(envDataDir.trustDomain, 'from-file.example');
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('unknown keys are refused and named, in every layer', () => {
  const dir = tempDir();
  try {
    refused(() => loadConfig({ listn: '127.0.0.1:1' }, {}), '--listn', /unknown key --listn/);
    refused(() => loadConfig({}, { TESSERA_LISTN: 'x' }), 'TESSERA_LISTN', /unknown variable/);
    writeFileSync(join(dir, 'tessera.yaml'), 'trustDomian: x\n');
    refused(() => loadConfig({ dataDir: dir }, {}), 'trustDomian', /tessera\.yaml: unknown key trustDomian/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('client variables are not taken for unknown server keys', () => {
  const c = loadConfig({}, { TESSERA_SERVER: 'http://x', TESSERA_KEK: 'abc', TESSERA_DATA: '/tmp' });
  assert.equal(c.trustDomain, DEFAULTS.trustDomain);
});

test('bad values name the field and the rule', () => {
  refused(() => loadConfig({ listen: 'nowhere' }, {}), '--listen', /HOST:PORT/);
  refused(() => loadConfig({ listen: '127.0.0.1:70000' }, {}), '--listen');
  refused(() => loadConfig({ trustDomain: 'Upper.Case' }, {}), '--trust-domain', /lowercase/);
  refused(() => loadConfig({}, { TESSERA_DATABASE_URL: 'mysql://x' }), 'TESSERA_DATABASE_URL', /postgres/);
  refused(() => loadConfig({ logLevel: 'loud' }, {}), '--log-level');
  refused(() => loadConfig({ bodyLimit: '10' }, {}), '--body-limit');
  refused(() => loadConfig({ adminTokenTtl: '1h' }, {}), '--admin-token-ttl', /at most 10m/);
  refused(() => loadConfig({ insecureHttp: 'maybe' }, {}), '--insecure-http');
  refused(() => loadConfig({ publicUrl: 'ftp://x' }, {}), '--public-url');
});

test('a malformed tessera.yaml is refused with the file named', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'listen: [unclosed\n');
    assert.throws(() => loadConfig({ dataDir: dir }, {}), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_CONFIG' && /not valid YAML/.test(e.message));
    writeFileSync(join(dir, 'tessera.yaml'), '- a list\n');
    assert.throws(() => loadConfig({ dataDir: dir }, {}), /must be a mapping/);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('non-loopback without TLS refuses to start unless --insecure-http', () => {
  const c = loadConfig({ listen: '0.0.0.0:8080' }, {});
  refused(() => checkServerConfig(c), 'listen', /not a loopback address/);
  checkServerConfig({ ...c, insecureHttp: true });
  checkServerConfig({ ...c, tlsCert: 'c.pem', tlsKey: 'k.pem' });
  refused(() => checkServerConfig({ ...c, tlsCert: 'c.pem' }), 'tlsKey', /both or neither/);
  for (const host of ['127.0.0.1', '127.1.2.3', '::1', 'localhost']) checkServerConfig({ ...c, listen: { host, port: 1 } });
});

test('inventory limits: defaults, environment, and refusals naming the key', () => {
  const c = loadConfig({}, {});
  assert.equal(c.inventoryMaxImportBytes, 4 * 1024 ** 3);
  assert.equal(c.inventoryUnusedDays, 90);
  const env = loadConfig({}, { TESSERA_INVENTORY_MAX_IMPORT_BYTES: '1048576', TESSERA_INVENTORY_UNUSED_DAYS: '30' });
  assert.equal(env.inventoryMaxImportBytes, 1048576);
  assert.equal(env.inventoryUnusedDays, 30);
  refused(() => loadConfig({ inventoryMaxImportBytes: '12' }, {}), '--inventory-max-import-bytes', /byte count/);
  refused(() => loadConfig({}, { TESSERA_INVENTORY_UNUSED_DAYS: '0' }), 'TESSERA_INVENTORY_UNUSED_DAYS', /days/);
});

test('variables the CLI reads (TESSERA_TOKEN, TESSERA_ACTOR) do not stop a server from starting', () => {
  const c = loadConfig({}, { TESSERA_TOKEN: 'x.y.z', TESSERA_ACTOR: 'ci-bot' });
  assert.equal(c.trustDomain, 'tessera.local');
});

test('authFailuresPerMinute: default 60, 0 switches it off, bad values refused', () => {
  assert.equal(loadConfig({}, {}).authFailuresPerMinute, 60);
  assert.equal(loadConfig({}, { TESSERA_AUTH_FAILURES_PER_MINUTE: '0' }).authFailuresPerMinute, 0);
  refused(() => loadConfig({ authFailuresPerMinute: '-1' }, {}), '--auth-failures-per-minute', /whole number/);
});
