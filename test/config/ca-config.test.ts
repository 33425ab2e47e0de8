// The CA and SVID configuration keys: defaults, the three layers, and the rules between keys.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { loadConfig, checkServerConfig } from '../../src/config/load-config.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { TesseraError } from '../../src/shared/errors.ts';
import { tempDir } from '../helpers/temp.ts';
import { runCli } from '../helpers/cli.ts';

function refused(fn: () => unknown, field: string, rule?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof TesseraError, String(e));
    assert.equal(e.code, 'ERR_CONFIG');
    assert.equal(e.details?.field, field);
    if (rule) assert.match(e.message, rule);
    return true;
  });
}

test('defaults: SVIDs at most 1h, ES256, CA and JWT keys 24h, no operator root', () => {
  const c = loadConfig({}, {});
  assert.equal(c.svidMaxTtl, 3600);
  assert.equal(c.jwtAlg, 'ES256');
  assert.equal(c.caTtl, 86_400);
  assert.equal(c.jwtKeyTtl, 86_400);
  assert.equal(c.caRootCert, undefined);
  assert.equal(c.caRootKey, undefined);
  checkServerConfig(c);
});

test('each key is set by flag, TESSERA_* variable or tessera.yaml', () => {
  const dir = tempDir();
  try {
    writeFileSync(join(dir, 'tessera.yaml'), 'svidMaxTtl: 30m\ncaTtl: 48h\njwtAlg: RS256\njwtKeyTtl: 12h\ncaRootCert: /etc/root.pem\ncaRootKey: /etc/root.key\n');
    const file = loadConfig({ dataDir: dir }, {});
    assert.deepEqual([file.svidMaxTtl, file.caTtl, file.jwtAlg, file.jwtKeyTtl, file.caRootCert, file.caRootKey], [1800, 172_800, 'RS256', 43_200, '/etc/root.pem', '/etc/root.key']);
    const env = loadConfig({ dataDir: dir }, { TESSERA_SVID_MAX_TTL: '10m', TESSERA_JWT_ALG: 'ES256', TESSERA_CA_TTL: '1h', TESSERA_JWT_KEY_TTL: '1h' });
    assert.deepEqual([env.svidMaxTtl, env.jwtAlg, env.caTtl, env.jwtKeyTtl], [600, 'ES256', 3600, 3600]);
    const flags = loadConfig({ dataDir: dir, svidMaxTtl: '5m', caTtl: '2h' }, { TESSERA_SVID_MAX_TTL: '10m' });
    assert.deepEqual([flags.svidMaxTtl, flags.caTtl], [300, 7200]);
  } finally { rmSync(dir, { recursive: true, force: true }); }
});

test('bad values name the key and the rule', () => {
  refused(() => loadConfig({ jwtAlg: 'HS256' }, {}), '--jwt-alg', /ES256, RS256/);
  refused(() => loadConfig({}, { TESSERA_JWT_ALG: 'none' }), 'TESSERA_JWT_ALG');
  refused(() => loadConfig({ svidMaxTtl: '30s' }, {}), '--svid-max-ttl', /between 1m and 7d/);
  refused(() => loadConfig({ svidMaxTtl: '8d' }, {}), '--svid-max-ttl');
  refused(() => loadConfig({ svidMaxTtl: 'soon' }, {}), '--svid-max-ttl', /duration/);
  refused(() => loadConfig({ jwtKeyTtl: '10m' }, {}), '--jwt-key-ttl', /between 15m/);
  refused(() => loadConfig({ caTtl: '1m' }, {}), '--ca-ttl');
  refused(() => loadConfig({ caRootCert: '' }, {}), '--ca-root-cert');
});

test('caTtl below 6 × svidMaxTtl is refused at start, naming both keys', () => {
  refused(() => checkServerConfig({ ...DEFAULTS, svidMaxTtl: 5 * 3600 }), 'caTtl', /caTtl \(1d\) must be at least 6 × svidMaxTtl \(5h\) = 1d6h/);
  checkServerConfig({ ...DEFAULTS, svidMaxTtl: 4 * 3600, caTtl: 24 * 3600 });
  refused(() => checkServerConfig({ ...DEFAULTS, svidMaxTtl: 3600, caTtl: 6 * 3600 - 1 }), 'caTtl', /svidMaxTtl/);
});

test('caRootCert and caRootKey come as a pair', () => {
  refused(() => checkServerConfig({ ...DEFAULTS, caRootCert: '/etc/root.pem' }), 'caRootKey', /both/);
  refused(() => checkServerConfig({ ...DEFAULTS, caRootKey: '/etc/root.key' }), 'caRootCert', /both/);
});

test('tessera server --help documents every CA key', async () => {
  const r = await runCli(['server', '--help']);
  assert.equal(r.code, 0);
  for (const flag of ['--svid-max-ttl', '--jwt-alg', '--ca-ttl', '--jwt-key-ttl', '--ca-root-cert', '--ca-root-key']) assert.match(r.stdout, new RegExp(`${flag} `));
});
