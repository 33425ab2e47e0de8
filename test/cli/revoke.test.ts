import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signerFor } from '../../src/ca/index.ts';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';

const API = 'spiffe://tessera.local/ns/prod/sa/api';
const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';

describe('tessera revoke and tessera identity key', () => {
  let t: TestServer;
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
    for (const [spiffeId, tier] of [[API, '2'], [LEGACY, '3']] as const) {
      const r = await runCli(['identity', 'create', '--spiffe-id', spiffeId, '--owner', 'team-a', '--env', 'prod', '--tier', tier, '--ttl', '15m', ...flags]);
      assert.equal(r.code, 0, r.stderr);
    }
  });
  after(async () => { await t.close(); });
  const cli = (...args: string[]) => runCli([...args, ...flags]);
  const now = () => Math.floor(Date.now() / 1000);
  const svid = () => signerFor(t.services.ca.jwtSigner()).sign({ iss: t.url, sub: API, aud: ['x'], iat: now(), exp: now() + 300, jti: randomUUID() }, 'JWT');
  const active = async (token: string) => {
    const { introspectToken } = await import('../../src/revocation/index.ts');
    const { revocationDeps } = await import('../../src/http/routes/revocations.ts');
    return (await introspectToken(revocationDeps(t.services), token)).active;
  };

  test('--token-file revokes the token in the file; --json prints the revocation', async () => {
    const token = svid();
    const file = join(t.dataDir, 'leaked.txt');
    writeFileSync(file, `${token}\n`);
    const detected = new Date(Math.floor(Date.now() / 1000) * 1000 - 3_600_000).toISOString();
    const r = await cli('revoke', '--token-file', file, '--reason', 'pasted in chat', '--detected-at', detected, '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.deepEqual([j.kind, j.reason, j.detectedAt, j.revokedBy], ['jti', 'pasted in chat', detected, 'admin']);
    assert.equal(await active(token), false);
  });

  test('--jti and --identity, human output', async () => {
    const j = await cli('revoke', '--jti', 'some-jti');
    assert.equal(j.code, 0, j.stderr);
    assert.match(j.stdout, /^revoked token some-jti\n {2}revocation \S+, at \S+, detected \S+; kept until \S+$/m);
    const i = await cli('revoke', '--identity', API, '--reason', 'compromised');
    assert.equal(i.code, 0, i.stderr);
    assert.match(i.stdout, /^revoked identity spiffe:\/\/tessera\.local\/ns\/prod\/sa\/api \(disabled; every token issued until /);
    assert.ok((await t.store.identities.getBySpiffeId(API))!.disabledAt !== null);
  });

  test('usage errors exit 2 naming the flag; server refusals exit with their code', async () => {
    const none = await cli('revoke');
    assert.equal(none.code, 2);
    assert.match(none.stderr, /give exactly one of --jti, --identity, --token-file, --static-key/);
    const two = await cli('revoke', '--jti', 'a', '--identity', API);
    assert.equal(two.code, 2);
    const missing = await cli('revoke', '--token-file', join(t.dataDir, 'no-such-file'));
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /--token-file: cannot read .*ENOENT/);
    const unknownFlag = await cli('revoke', '--jtii', 'a');
    assert.equal(unknownFlag.code, 2);
    assert.match(unknownFlag.stderr, /--jtii/);
    const badTime = await cli('revoke', '--jti', 'a', '--detected-at', 'yesterday', '--json');
    assert.equal(badTime.code, 2);
    assert.equal(JSON.parse(badTime.stderr).error.field, 'detectedAt');
    const unknownIdentity = await cli('revoke', '--identity', 'spiffe://tessera.local/nobody');
    assert.equal(unknownIdentity.code, 1);
    assert.match(unknownIdentity.stderr, /ERR_NOT_FOUND/);
    assert.equal((await runCli(['revoke', '--help'])).code, 0);
  });

  test('identity key create prints the key once; list shows only the last 4; revoke by id', async () => {
    const c = await cli('identity', 'key', 'create', '--identity', LEGACY, '--expires', '10d');
    assert.equal(c.code, 0, c.stderr);
    const key = /^ {2}(tsk_[0-9A-Za-z]{36})$/m.exec(c.stdout)?.[1];
    assert.ok(key, c.stdout);
    assert.match(c.stdout, /only time the key is shown/);
    assert.equal(await active(key), true);

    const j = JSON.parse((await cli('identity', 'key', 'create', '--identity', LEGACY, '--expires', '1d', '--owner', 'ops', '--json')).stdout);
    assert.equal(j.owner, 'ops');

    const list = await cli('identity', 'key', 'list', '--identity', LEGACY);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, /^ID +KEY +OWNER +STATUS +EXPIRES +CREATED$/m);
    assert.ok(list.stdout.includes(`tsk_…${key.slice(-4)}`));
    assert.ok(!list.stdout.includes(key));
    const id = (await t.store.staticKeys.getByHash((await import('../../src/identity/static-keys/index.ts')).hashStaticKey(key)))!.id;

    const r = await cli('identity', 'key', 'revoke', id, '--reason', 'rotating');
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(`^revoked static key ${id}`, 'm'));
    assert.equal(await active(key), false);
    const byFlag = await cli('revoke', '--static-key', j.id, '--json');
    assert.equal(JSON.parse(byFlag.stdout).value, j.id);
  });

  test('identity key bad input: exit 2 with the rule; unknown command and missing flags', async () => {
    const noExpiry = await cli('identity', 'key', 'create', '--identity', LEGACY);
    assert.equal(noExpiry.code, 2);
    assert.match(noExpiry.stderr, /expires: is required.*\[ERR_EXCEPTION_EXPIRY_REQUIRED\]/);
    const tooLong = await cli('identity', 'key', 'create', '--identity', LEGACY, '--expires', '400d');
    assert.equal(tooLong.code, 2);
    assert.match(tooLong.stderr, /ERR_TTL_ABOVE_TIER_MAX/);
    assert.equal((await cli('identity', 'key', 'create', '--expires', '1d')).code, 2);
    assert.equal((await cli('identity', 'key', 'list')).code, 2);
    assert.equal((await cli('identity', 'key', 'revoke')).code, 2);
    assert.equal((await cli('identity', 'key', 'frobnicate')).code, 2);
    assert.equal((await runCli(['identity', 'key', '--help'])).code, 0);
    assert.equal((await runCli(['identity', 'key', 'create', '--help'])).code, 0);
  });
});
