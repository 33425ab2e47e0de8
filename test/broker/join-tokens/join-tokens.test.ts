import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { openTestStore, STORE_KINDS } from '../../helpers/test-store.ts';
import { runCli } from '../../helpers/cli.ts';
import { JOIN_TOKEN_PATTERN, generateJoinToken, hashJoinToken, type JoinToken } from '../../../src/broker/join-tokens/index.ts';
import type { Store } from '../../../src/store/index.ts';

const NODE = 'spiffe://tessera.local/node/worker-1';

describe('join token format', () => {
  test('tjt_ + 32 base62 characters (~190 bits), distinct each time; stored as SHA-256 hex', () => {
    const seen = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const t = generateJoinToken();
      assert.match(t, JOIN_TOKEN_PATTERN);
      seen.add(t);
    }
    assert.equal(seen.size, 200);
    const t = generateJoinToken();
    assert.equal(hashJoinToken(t), createHash('sha256').update(t).digest('hex'));
  });
});

for (const kind of STORE_KINDS) {
  describe(`join token repo on ${kind}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    before(async () => { ({ store, cleanup } = await openTestStore(kind)); });
    after(async () => { await cleanup(); });
    const row = (over: Partial<JoinToken> = {}): JoinToken => ({
      id: crypto.randomUUID(), identityId: 'id-1', hash: hashJoinToken(generateJoinToken()), createdAt: 1000, createdBy: 'admin',
      expiresAt: 10_000, usedAt: null, ...over,
    });

    test('consume succeeds once, never after expiry, and exactly once under concurrency', async () => {
      const a = row();
      const late = row();
      await store.write(async (tx) => { await store.joinTokens.insert(tx, a); await store.joinTokens.insert(tx, late); });
      assert.equal(await store.write((tx) => store.joinTokens.consume(tx, late.hash, 10_000)), false, 'expired at expires_at');
      const results = await Promise.all(Array.from({ length: 10 }, () => store.write((tx) => store.joinTokens.consume(tx, a.hash, 5000))));
      assert.equal(results.filter(Boolean).length, 1);
      assert.equal((await store.joinTokens.getByHash(a.hash))!.usedAt, 5000);
      assert.equal((await store.joinTokens.getByHash(late.hash))!.usedAt, null);
      assert.equal(await store.write((tx) => store.joinTokens.consume(tx, 'f'.repeat(64), 5000)), false, 'unknown hash');
    });
  });
}

describe('/v1/join-tokens and tessera join-token', () => {
  let t: TestServer;
  let admin: { authorization: string };
  let identityId: string;
  before(async () => {
    t = await startTestServer({ listen: true });
    admin = await t.adminHeaders();
    const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin, payload: { spiffeId: NODE, owner: 'team-nodes', environment: 'prod', tier: 2, ttl: '15m' } });
    assert.equal(res.statusCode, 201, res.body);
    identityId = res.json().id;
  });
  after(async () => { await t.close(); });
  const post = (payload: unknown, headers: Record<string, string> = admin) => t.app.inject({ method: 'POST', url: '/v1/join-tokens', headers, payload: payload as object });
  const audits = async (outcome: string) => (await t.store.audit.list({ action: 'join-token.create', outcome, limit: 1000, newestFirst: true })).map((e) => ({ ...e, details: JSON.parse(e.details) as Record<string, unknown> }));

  test('create returns the token once (no-store), stores only its hash, and audits without it', async () => {
    const res = await post({ identity: NODE, ttl: '5m' });
    assert.equal(res.statusCode, 201, res.body);
    assert.equal(res.headers['cache-control'], 'no-store');
    const body = res.json();
    assert.match(body.token, JOIN_TOKEN_PATTERN);
    assert.deepEqual([body.spiffeId, body.identityId, body.status, body.createdBy], [NODE, identityId, 'active', 'admin']);
    assert.equal(Date.parse(body.expiresAt) - Date.parse(body.createdAt), 300_000);
    const stored = await t.store.joinTokens.getByHash(hashJoinToken(body.token));
    assert.equal(stored!.id, body.id);
    const [event] = await audits('success');
    assert.equal(event!.target, NODE);
    assert.equal(event!.details.id, body.id);
    assert.ok(!JSON.stringify(event).includes(body.token));
    assert.ok(!JSON.stringify(event).includes(stored!.hash));
  });

  test('default lifetime is 10 minutes; by identity id works too', async () => {
    const body = (await post({ identity: identityId })).json();
    assert.equal(Date.parse(body.expiresAt) - Date.parse(body.createdAt), 600_000);
  });

  test('bad input is refused naming the field, audited, and creates nothing', async () => {
    const count = async () => (await t.store.joinTokens.list({}, { limit: 1000 })).length;
    const before = await count();
    const cases: [unknown, number, string, string][] = [
      [{ identity: NODE, ttl: '2h' }, 400, 'ERR_INVALID_DURATION', 'ttl'],
      [{ identity: NODE, ttl: 'soon' }, 400, 'ERR_INVALID_DURATION', 'ttl'],
      [{ identity: NODE, ttl: 0 }, 400, 'ERR_INVALID_DURATION', 'ttl'],
      [{}, 400, 'ERR_INVALID_INPUT', 'identity'],
      [{ identity: 'spiffe://tessera.local/nobody' }, 404, 'ERR_NOT_FOUND', 'identity'],
      [{ identity: NODE, colour: 'red' }, 400, 'ERR_INVALID_INPUT', 'colour'],
    ];
    for (const [payload, status, code, field] of cases) {
      const res = await post(payload);
      assert.equal(res.statusCode, status, `${JSON.stringify(payload)}: ${res.body}`);
      assert.equal(res.json().code, code);
      if (!('colour' in (payload as object))) assert.equal(res.json().field, field);
    }
    assert.equal(await count(), before);
    const denied = await audits('denied');
    assert.ok(denied.some((e) => e.details.code === 'ERR_NOT_FOUND'));
    assert.ok(denied.some((e) => e.details.code === 'ERR_INVALID_DURATION'));
  });

  test('only admins create; admins and auditors list, never seeing a token or hash', async () => {
    const auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
    assert.equal((await post({ identity: NODE }, auditor)).statusCode, 403);
    assert.equal((await post({ identity: NODE }, {})).statusCode, 401);
    const list = await t.app.inject({ method: 'GET', url: `/v1/join-tokens?identity=${encodeURIComponent(NODE)}`, headers: auditor });
    assert.equal(list.statusCode, 200);
    const items = list.json().items as Record<string, unknown>[];
    assert.ok(items.length >= 2);
    for (const i of items) {
      assert.deepEqual(Object.keys(i).sort(), ['createdAt', 'createdBy', 'expiresAt', 'id', 'identityId', 'spiffeId', 'status', 'usedAt']);
    }
    const workload = { authorization: `Bearer ${await t.tokenFor(['workload'])}` };
    assert.equal((await t.app.inject({ method: 'GET', url: '/v1/join-tokens', headers: workload })).statusCode, 403);
  });

  test('list pages with an opaque cursor; a bad cursor or limit is refused', async () => {
    const first = (await t.app.inject({ method: 'GET', url: '/v1/join-tokens?limit=1', headers: admin })).json();
    assert.equal(first.items.length, 1);
    assert.equal(typeof first.nextCursor, 'string');
    const second = (await t.app.inject({ method: 'GET', url: `/v1/join-tokens?limit=1&cursor=${first.nextCursor}`, headers: admin })).json();
    assert.notEqual(second.items[0].id, first.items[0].id);
    for (const q of ['cursor=nope', 'limit=0', 'limit=501']) {
      const res = await t.app.inject({ method: 'GET', url: `/v1/join-tokens?${q}`, headers: admin });
      assert.equal(res.statusCode, 400, q);
    }
  });

  test('CLI: create prints only the token; --json the record; list shows status; bad usage exits 2', async () => {
    const flags = ['--server', t.url, '--data', t.dataDir];
    const created = await runCli(['join-token', 'create', '--identity', NODE, '--ttl', '10m', ...flags]);
    assert.equal(created.code, 0, created.stderr);
    assert.match(created.stdout, /^tjt_[0-9A-Za-z]{32}\n$/);
    assert.match(created.stderr, /not shown again/);
    const json = await runCli(['join-token', 'create', '--identity', NODE, '--ttl', '60', '--json', ...flags]);
    assert.equal(json.code, 0, json.stderr);
    const j = JSON.parse(json.stdout);
    assert.equal(Date.parse(j.expiresAt) - Date.parse(j.createdAt), 60_000);
    assert.match(j.token, JOIN_TOKEN_PATTERN);
    const list = await runCli(['join-token', 'list', '--identity', NODE, ...flags]);
    assert.equal(list.code, 0, list.stderr);
    assert.match(list.stdout, new RegExp(`${j.id}\\s+active\\s+${NODE.replace(/[./]/g, '\\$&')}`));
    const cases: [string[], number, RegExp][] = [
      [['join-token', 'create', ...flags], 2, /--identity: is required/],
      [['join-token', 'create', '--identity', NODE, '--ttl', '3h', ...flags], 2, /ERR_INVALID_DURATION/],
      [['join-token', 'create', '--identity', NODE, '--colour', 'red', ...flags], 2, /--colour/],
      [['join-token', 'create', '--identity', 'spiffe://tessera.local/nobody', ...flags], 1, /ERR_NOT_FOUND/],
      [['join-token', 'list', '--limit', 'many', ...flags], 2, /--limit/],
      [['join-token', 'burn'], 2, /unknown subcommand "burn"/],
    ];
    for (const [args, code, message] of cases) {
      const r = await runCli(args);
      assert.equal(r.code, code, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message);
    }
    assert.equal((await runCli(['join-token', '--help'])).code, 0);
  });
});
