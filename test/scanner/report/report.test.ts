import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { recordBreakGlass, reportFindings, BREAK_GLASS_FILE } from '../../../src/scanner/report/index.ts';
import { TesseraError } from '../../../src/shared/errors.ts';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { tempDir } from '../../helpers/test-store.ts';

const LEGACY = 'spiffe://tessera.local/ns/prod/sa/legacy';
const DAY = 86_400_000;

async function deadServer(): Promise<string> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return `http://127.0.0.1:${port}`;
}

describe('scanner leak-response client against a running server', () => {
  let t: TestServer;
  let admin: Record<string, string>;
  before(async () => {
    t = await startTestServer({ listen: true });
    admin = { ...(await t.adminHeaders()), 'content-type': 'application/json' };
    const res = await fetch(`${t.url}/v1/identities`, { method: 'POST', headers: admin, body: JSON.stringify({
      spiffeId: LEGACY, owner: 'team-legacy', environment: 'prod', tier: 1, ttl: '15m',
      staticException: { reason: 'mainframe', expiresAt: new Date(Date.now() + 60 * DAY).toISOString() } }) });
    assert.equal(res.status, 201);
  });
  after(async () => { await t.close(); });

  test('reportFindings: a leaked tsk_ key is revoked and introspects inactive; extra engine fields are not sent', async () => {
    const key = ((await (await fetch(`${t.url}/v1/identities/${encodeURIComponent(LEGACY)}/keys`, { method: 'POST', headers: admin, body: '{"expires":"30d"}' })).json()) as { key: string }).key;
    const r = await reportFindings({ server: t.url, dataDir: t.dataDir }, [
      { detector: 'tessera-static-key', secret: key, path: 'src/.env', line: 4, fingerprint: 'sha256:abcdef0123456789', column: 7, confidence: 'high' },
    ]);
    assert.deepEqual(r.revoked.map((x) => [x.kind, x.identity, x.created]), [['static-key', LEGACY, true]]);
    assert.equal(r.notified, false, 'no webhook configured');
    const intro = await fetch(`${t.url}/oauth2/introspect`, { method: 'POST', headers: { authorization: admin.authorization!, 'content-type': 'application/x-www-form-urlencoded' }, body: `token=${key}` });
    assert.deepEqual(await intro.json(), { active: false });
  });

  test('recordBreakGlass online: audited on the server without the secret, no local file', async () => {
    const offlineFile = join(t.dataDir, 'never.jsonl');
    const r = await recordBreakGlass({ server: t.url, dataDir: t.dataDir, offlineFile }, {
      reason: 'hotfix, key is a test fixture', actor: 'alice',
      findings: [{ detector: 'github-pat', secret: 'ghp_SECRETSECRETSECRET', path: 'fixtures/x', line: 9, fingerprint: 'sha256:0000111122223333' }],
    });
    assert.deepEqual(r, { recorded: 'server' });
    assert.equal(existsSync(offlineFile), false);
    const ev = (await t.store.audit.list({ action: 'scan.break-glass', limit: 1, newestFirst: true }))[0]!;
    assert.equal(ev.outcome, 'success');
    assert.equal(JSON.parse(ev.details).reason, 'hotfix, key is a test fixture');
    assert.ok(!ev.details.includes('SECRETSECRET'), 'the secret never leaves the client for a break-glass');
  });

  test('recordBreakGlass refused by the server is an error, not a silent fallback', async () => {
    const offlineFile = join(t.dataDir, 'refused.jsonl');
    await assert.rejects(recordBreakGlass({ server: t.url, dataDir: t.dataDir, offlineFile }, {
      reason: 'x', actor: 'alice', findings: [{ detector: 'BAD ID', path: 'p', line: 1, fingerprint: 'sha256:0000111122223333' }],
    }), (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT');
    assert.equal(existsSync(offlineFile), false);
  });
});

describe('recordBreakGlass offline', () => {
  const finding = { detector: 'aws-access-key', secret: 'AKIAIOSFODNN7EXAMPLE', path: 'main.tf', line: 2, fingerprint: 'sha256:4444555566667777' };

  test('no server: one JSON line appended to <dataDir>/break-glass.jsonl, mode 0600, no secret', async () => {
    const dataDir = tempDir('tessera-bg-');
    const r1 = await recordBreakGlass({ dataDir }, { reason: 'release blocker', actor: 'bob', findings: [finding] });
    const r2 = await recordBreakGlass({ dataDir }, { reason: 'second', actor: 'carol', findings: [] });
    const file = join(dataDir, BREAK_GLASS_FILE);
    assert.deepEqual([r1, r2], [{ recorded: 'file', file }, { recorded: 'file', file }]);
    assert.equal(statSync(file).mode & 0o777, 0o600);
    const text = readFileSync(file, 'utf8');
    assert.ok(!text.includes('AKIAIOSFODNN7EXAMPLE'));
    const lines = text.trim().split('\n').map((l) => JSON.parse(l));
    assert.equal(lines.length, 2);
    assert.deepEqual([lines[0].actor, lines[0].reason, lines[0].findings], ['bob', 'release blocker', [{ detector: 'aws-access-key', path: 'main.tf', line: 2, fingerprint: 'sha256:4444555566667777' }]]);
    assert.equal(lines[1].actor, 'carol');
  });

  test('server unreachable: falls back to the offline file and says why', async () => {
    // A data folder with a real admin key, whose server is not running.
    const stopped = await startTestServer();
    const offlineFile = join(tempDir('tessera-bg-'), 'sub', 'bg.jsonl');
    let r;
    try {
      r = await recordBreakGlass({ server: await deadServer(), dataDir: stopped.dataDir, offlineFile }, { reason: 'offline CI', actor: 'ci', findings: [finding] });
    } finally {
      await stopped.close();
    }
    assert.equal(r.recorded, 'file');
    assert.ok(r.recorded === 'file' && r.serverError?.includes('cannot reach'));
    assert.equal(JSON.parse(readFileSync(offlineFile, 'utf8')).reason, 'offline CI');
    assert.equal(statSync(offlineFile).mode & 0o777, 0o600);
  });

  test('a server given but no admin key is a usage error, not a silent fallback', async () => {
    const dataDir = tempDir('tessera-bg-');
    await assert.rejects(recordBreakGlass({ server: await deadServer(), dataDir }, { reason: 'r', actor: 'x', findings: [finding] }),
      (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT');
    assert.equal(existsSync(join(dataDir, BREAK_GLASS_FILE)), false);
  });

  test('an empty reason is refused and nothing is written (ERR_INVALID_INPUT)', async () => {
    const dataDir = tempDir('tessera-bg-');
    await assert.rejects(recordBreakGlass({ dataDir }, { reason: '  ', actor: 'x', findings: [finding] }),
      (e: unknown) => e instanceof TesseraError && e.code === 'ERR_INVALID_INPUT');
    assert.equal(existsSync(join(dataDir, BREAK_GLASS_FILE)), false);
  });
});
