import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import * as jose from 'jose';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli, runCliProcess, startServerProcess } from '../helpers/cli.ts';

const payments = 'spiffe://tessera.local/ns/prod/sa/payments';

describe('tessera token mint', () => {
  let t: TestServer;
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
    const r = await runCli(['identity', 'create', '--spiffe-id', payments, '--owner', 'team-payments', '--env', 'prod', '--tier', '1', '--ttl', '15m', ...flags]);
    assert.equal(r.code, 0, r.stderr);
  });
  after(async () => { await t.close(); });
  const cli = (...args: string[]) => runCli(['token', ...args, ...flags]);
  const minted = async () => (await t.store.audit.list({ action: 'svid.jwt.mint', outcome: 'success', limit: 1000 })).length;

  test('prints only the token, which jose verifies through the server\'s discovery document', async () => {
    const r = await cli('mint', '--identity', payments, '--aud', 'orders', '--ttl', '5m');
    assert.equal(r.code, 0, r.stderr);
    const token = r.stdout.trim();
    assert.equal(r.stdout, `${token}\n`, 'one line: the token');
    const discovery = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const { payload, protectedHeader } = await jose.jwtVerify(token, jose.createRemoteJWKSet(new URL(discovery.jwks_uri)), { issuer: t.url, audience: 'orders' });
    assert.equal(payload.sub, payments);
    assert.equal(payload.exp! - payload.iat!, 300);
    assert.equal(protectedHeader.typ, 'JWT');
  });

  test('--json prints the token with its details; --aud repeats; --ttl in seconds', async () => {
    const r = await cli('mint', '--identity', payments, '--aud', 'orders', '--aud', 'billing', '--ttl', '120', '--json');
    assert.equal(r.code, 0, r.stderr);
    const j = JSON.parse(r.stdout);
    assert.equal(j.spiffeId, payments);
    assert.deepEqual(j.audience, ['orders', 'billing']);
    assert.equal(j.ttl, 120);
    assert.match(j.jti, /^[\w-]{22}$/);
    assert.equal(jose.decodeJwt(j.token).jti, j.jti);
  });

  test('bad usage exits 2 naming the flag, refusals exit with the code named; nothing is minted', async () => {
    const before = await minted();
    const cases: [string[], number, RegExp][] = [
      [['mint', '--identity', payments], 2, /--aud: is required/],
      [['mint', '--aud', 'orders'], 2, /--identity: is required/],
      [['mint', '--identity', payments, '--aud', 'orders', '--colour', 'red'], 2, /--colour/],
      [['mint', '--identity', payments, '--aud', 'orders', '--ttl', '2h'], 2, /ERR_TTL_ABOVE_TIER_MAX/],
      [['mint', '--identity', payments, '--aud', 'orders', '--ttl', 'soon'], 2, /ERR_INVALID_DURATION/],
      [['mint', '--identity', payments, '--aud', '*'], 2, /wildcards/],
      [['mint', '--identity', 'spiffe://tessera.local/nobody', '--aud', 'orders'], 1, /ERR_NOT_FOUND/],
      [['burn'], 2, /unknown subcommand "burn"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
      assert.equal(r.stdout, '');
    }
    assert.equal(await minted(), before);
    const help = await runCli(['token', 'mint', '--help']);
    assert.equal(help.code, 0);
    assert.match(help.stdout, /--aud AUDIENCE/);
  });
});

test('against a fresh server process: identity create, then token mint, with the real binary', async () => {
  const server = await startServerProcess();
  try {
    const flags = ['--server', server.url, '--data', server.dataDir];
    const created = await runCliProcess(['identity', 'create', '--spiffe-id', payments, '--owner', 'team-payments', '--env', 'prod', '--tier', '1', '--ttl', '15m', ...flags]);
    assert.equal(created.code, 0, created.stderr);
    const r = await runCliProcess(['token', 'mint', '--identity', payments, '--aud', 'orders', ...flags]);
    assert.equal(r.code, 0, r.stderr);
    const jwks = jose.createRemoteJWKSet(new URL(`${server.url}/jwks`));
    assert.equal((await jose.jwtVerify(r.stdout.trim(), jwks, { issuer: server.url, audience: 'orders' })).payload.sub, payments);
  } finally {
    await server.kill();
    rmSync(server.dataDir, { recursive: true, force: true });
  }
});
