// A revocation acknowledged by a server process survives kill -9: restarted on the same data
// folder (and address, so the issuer is the same), the server still answers {"active": false}.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { rmSync } from 'node:fs';
import { startServerProcess } from '../helpers/cli.ts';
import { tempDir } from '../helpers/temp.ts';
import { getAdminToken } from '../../src/cli/admin-token.ts';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

const form = (token: string, bearer: string) => ({
  method: 'POST', body: new URLSearchParams({ token }).toString(),
  headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/x-www-form-urlencoded' },
});

test('revoke through a server process, SIGKILL it, restart on the same data folder: still inactive', async () => {
  const dataDir = tempDir('tessera-revoke-');
  const port = await freePort();
  const args = ['--listen', `127.0.0.1:${port}`];
  let srv = await startServerProcess({ dataDir, args });
  try {
    const server = srv.url;
    assert.equal(server, `http://127.0.0.1:${port}`);
    // Two separate access tokens: one to revoke, one to ask with.
    const victim = await getAdminToken({ server, dataDir, refresh: true });
    const caller = await getAdminToken({ server, dataDir, refresh: true });
    assert.notEqual(victim, caller);
    const introspect = async (token: string) => (await (await fetch(`${server}/oauth2/introspect`, form(token, caller))).json()) as { active: boolean };
    assert.equal((await introspect(victim)).active, true);

    const revoked = await fetch(`${server}/oauth2/revoke`, form(victim, caller));
    assert.equal(revoked.status, 200);
    assert.equal((await introspect(victim)).active, false, 'inactive immediately after the answer');

    assert.equal(await srv.kill('SIGKILL'), -1);
    srv = await startServerProcess({ dataDir, args });
    assert.equal(srv.url, server);
    assert.equal((await introspect(caller)).active, true, 'the unrevoked token (same issuer, same keys) is still good');
    assert.deepEqual(await introspect(victim), { active: false });
    // And the revoked token does not open the API either.
    const use = await fetch(`${server}/v1/revocations`, { headers: { authorization: `Bearer ${victim}` } });
    assert.equal(use.status, 401);
    const feed = (await (await fetch(`${server}/v1/revocations`, { headers: { authorization: `Bearer ${caller}` } })).json()) as { items: { kind: string }[] };
    assert.deepEqual(feed.items.map((r) => r.kind), ['jti']);
  } finally {
    await srv.kill('SIGKILL');
    rmSync(dataDir, { recursive: true, force: true });
  }
});
