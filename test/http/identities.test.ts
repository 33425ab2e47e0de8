import { describe, test, before, after, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { SPIFFE_ID_RULES } from '../../src/shared/spiffe-id.ts';

const URL = '/v1/identities';
const payments = 'spiffe://tessera.local/ns/prod/sa/payments';
const body = (over: Record<string, unknown> = {}) => ({
  spiffeId: payments, owner: 'team-payments', environment: 'prod', tier: 1, ttl: '15m', ...over,
});

for (const kind of STORE_KINDS) {
  describe(`/v1/identities on ${kind}`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    let auditor: { authorization: string };
    let workload: { authorization: string };
    before(async () => {
      t = await startTestServer({ store: kind });
      admin = await t.adminHeaders();
      auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
      workload = { authorization: `Bearer ${await t.tokenFor(['workload'])}` };
    });
    after(async () => { await t.close(); });
    beforeEach(async () => {
      await t.store.write(async (tx) => {
        for (const i of (await t.store.identities.list({}, { limit: 10_000 })).items) await t.store.identities.delete(tx, i.id);
      });
    });

    test('ETag and If-Match: an edit based on an older read is refused with 412 and changes nothing', async () => {
      const created = await t.app.inject({ method: 'POST', url: URL, headers: admin, payload: body() });
      assert.equal(created.statusCode, 201, created.body);
      const id = encodeURIComponent(payments);
      const read = await t.app.inject({ method: 'GET', url: `${URL}/${id}`, headers: admin });
      assert.equal(read.headers.etag, '"1"');
      assert.equal(read.json().version, 1);
      const first = await t.app.inject({ method: 'PATCH', url: `${URL}/${id}`, headers: { ...admin, 'if-match': '"1"' }, payload: { owner: 'team-b' } });
      assert.equal(first.statusCode, 200, first.body);
      assert.equal(first.headers.etag, '"2"');
      const stale = await t.app.inject({ method: 'PATCH', url: `${URL}/${id}`, headers: { ...admin, 'if-match': '"1"' }, payload: { owner: 'team-c' } });
      assert.equal(stale.statusCode, 412, stale.body);
      assert.equal(stale.json().code, 'ERR_PRECONDITION_FAILED');
      assert.equal(stale.json().field, 'if-match');
      const bad = await t.app.inject({ method: 'PATCH', url: `${URL}/${id}`, headers: { ...admin, 'if-match': 'yesterday' }, payload: { owner: 'team-c' } });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().field, 'if-match');
      const now = await t.app.inject({ method: 'GET', url: `${URL}/${id}`, headers: admin });
      assert.equal(now.json().owner, 'team-b');
      assert.equal(now.headers.etag, '"2"');
    });

    const post = (payload: unknown, headers: Record<string, string> = admin) =>
      t.app.inject({ method: 'POST', url: URL, headers, payload: payload as Record<string, unknown> });
    const create = async (over: Record<string, unknown> = {}) => {
      const res = await post(body(over));
      assert.equal(res.statusCode, 201, res.body);
      return res.json() as Record<string, unknown> & { id: string; spiffeId: string };
    };

    /** A refusal: status, problem code and field, and the registry left as it was. */
    async function refused(res: { statusCode: number; json(): unknown; headers: Record<string, unknown> }, status: number, code: string, field?: string) {
      assert.equal(res.statusCode, status, JSON.stringify(res.json()));
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      const p = res.json() as Record<string, unknown>;
      assert.equal(p.code, code);
      if (field !== undefined) assert.equal(p.field, field);
      assert.equal(typeof p.detail, 'string');
      return p;
    }
    const count = () => t.store.identities.count();

    describe('POST', () => {
      test('201 with the identity in wire form, a Location header and an audit event', async () => {
        const res = await post(body({
          description: 'payments API', labels: { team: 'pay' },
          staticException: { reason: 'vendor key', expiresAt: new Date(Date.now() + 86_400_000).toISOString() },
        }));
        assert.equal(res.statusCode, 201, res.body);
        const j = res.json();
        assert.equal(j.spiffeId, payments);
        assert.equal(j.owner, 'team-payments');
        assert.equal(j.environment, 'prod');
        assert.equal(j.tier, 1);
        assert.equal(j.maxTtl, 900);
        assert.equal(j.maxTtlText, '15m');
        assert.deepEqual(j.labels, { team: 'pay' });
        assert.equal(j.description, 'payments API');
        assert.match(j.createdAt, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
        assert.match(j.staticException.expiresAt, /Z$/);
        assert.equal(j.createdBy, 'admin');
        assert.equal(j.disabledAt, null);
        assert.equal(res.headers.location, `${URL}/${j.id}`);
        assert.ok(await t.store.identities.get(j.id));
        const ev = await t.store.audit.last();
        assert.equal(ev?.action, 'identity.create');
        assert.equal(ev?.outcome, 'success');
        assert.equal(ev?.actor, 'admin');
        assert.equal(ev?.target, payments);
        assert.equal(ev?.requestId, res.headers['x-request-id']);
      });

      test('ttl in seconds is accepted', async () => {
        assert.equal((await create({ ttl: 3600 })).maxTtl, 3600);
      });

      // The last column says whether the refusal comes from the registry's guardrails (which
      // record a denied audit event) or from the route's JSON schema (refused before the domain).
      const bad: [string, unknown, number, string, string, boolean][] = [
        ['missing owner', body({ owner: undefined }), 400, 'ERR_OWNER_REQUIRED', 'owner', true],
        ['blank owner', body({ owner: '  ' }), 400, 'ERR_OWNER_REQUIRED', 'owner', true],
        ['tier-1 TTL above 1h', body({ ttl: '2h' }), 400, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl', true],
        ['tier-1 TTL of 3601 seconds', body({ ttl: 3601 }), 400, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl', true],
        ['tier out of range', body({ tier: 4 }), 400, 'ERR_INVALID_INPUT', 'tier', true],
        ['malformed ttl', body({ ttl: '15 minutes' }), 400, 'ERR_INVALID_DURATION', 'ttl', true],
        ['missing environment', body({ environment: undefined }), 400, 'ERR_INVALID_INPUT', 'environment', true],
        ['SPIFFE ID of another trust domain', body({ spiffeId: 'spiffe://example.org/ns/prod/sa/payments' }), 400, 'ERR_TRUST_DOMAIN_MISMATCH', 'spiffeId', true],
        ['exception without expiry', body({ staticException: { reason: 'legacy' } }), 400, 'ERR_EXCEPTION_EXPIRY_REQUIRED', 'staticException.expiresAt', true],
        ['unknown field', body({ color: 'blue' }), 400, 'ERR_INVALID_INPUT', 'color', false],
        ['unknown field in staticException', body({ staticException: { reason: 'r', expiresAt: '2099-01-01T00:00:00Z', x: 1 } }), 400, 'ERR_INVALID_INPUT', 'staticException.x', false],
        ['tier as a string', body({ tier: '1' }), 400, 'ERR_INVALID_INPUT', 'tier', false],
        ['owner as a number', body({ owner: 7 }), 400, 'ERR_INVALID_INPUT', 'owner', false],
        ['labels with a number value', body({ labels: { a: 1 } }), 400, 'ERR_INVALID_INPUT', 'labels.a', false],
        ['ttl as a boolean', body({ ttl: true }), 400, 'ERR_INVALID_INPUT', 'ttl', false],
        ['body is an array', [body()], 400, 'ERR_INVALID_INPUT', 'body', false],
      ];
      for (const [name, payload, status, code, field, audited] of bad) {
        test(`refused: ${name} → ${status} ${code} (${field}), nothing stored`, async () => {
          const head = (await t.store.audit.head()).seq;
          await refused(await post(payload), status, code, field);
          assert.equal(await count(), 0);
          const events = await t.store.audit.list({ afterSeq: head, limit: 10 });
          if (audited) {
            assert.equal(events.length, 1);
            assert.equal(events[0]!.action, 'identity.create');
            assert.equal(events[0]!.outcome, 'denied');
            assert.equal(JSON.parse(events[0]!.details).code, code);
          } else {
            assert.equal(events.length, 0);
          }
        });
      }

      const malformed: [string, string][] = [
        ['SPIFFE://tessera.local/a', SPIFFE_ID_RULES.schemeCase],
        ['https://tessera.local/a', SPIFFE_ID_RULES.wrongScheme],
        ['spiffe://Tessera.local/a', SPIFFE_ID_RULES.trustDomainCase],
        ['spiffe://tessera.local:443/a', SPIFFE_ID_RULES.port],
        ['spiffe://admin@tessera.local/a', SPIFFE_ID_RULES.userinfo],
        ['spiffe://tessera.local/a//b', SPIFFE_ID_RULES.emptySegment],
        ['spiffe://tessera.local/a/', SPIFFE_ID_RULES.trailingSlash],
        ['spiffe://tessera.local/a/../b', SPIFFE_ID_RULES.dotSegment],
        ['spiffe://tessera.local/a%20b', SPIFFE_ID_RULES.pathPercent],
        ['spiffe://tessera.local/a?b=c', SPIFFE_ID_RULES.query],
        ['spiffe://tessera.local/a#b', SPIFFE_ID_RULES.fragment],
        ['spiffe://tessera.local/a b', SPIFFE_ID_RULES.pathChars],
        ['', SPIFFE_ID_RULES.empty],
      ];
      for (const [spiffeId, rule] of malformed) {
        test(`refused: malformed SPIFFE ID ${JSON.stringify(spiffeId)} → 400 naming the rule`, async () => {
          const p = await refused(await post(body({ spiffeId })), 400, 'ERR_INVALID_SPIFFE_ID', 'spiffeId');
          assert.equal(p.rule, rule);
          assert.equal(await count(), 0);
        });
      }

      test('refused: the same SPIFFE ID in another environment → 409 ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS', async () => {
        await create();
        await refused(await post(body({ environment: 'staging' })), 409, 'ERR_IDENTITY_SHARED_ACROSS_ENVIRONMENTS', 'spiffeId');
        await refused(await post(body()), 409, 'ERR_CONFLICT', 'spiffeId');
        assert.equal(await count(), 1);
      });

      test('refused: wrong content type → 415', async () => {
        const text = await t.app.inject({ method: 'POST', url: URL, headers: { ...admin, 'content-type': 'text/plain' }, payload: JSON.stringify(body()) });
        await refused(text, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'content-type');
        const form = await t.app.inject({ method: 'POST', url: URL, headers: { ...admin, 'content-type': 'application/x-www-form-urlencoded' }, payload: 'owner=a&tier=1' });
        await refused(form, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE', 'content-type');
        const xml = await t.app.inject({ method: 'POST', url: URL, headers: { ...admin, 'content-type': 'application/xml' }, payload: '<identity/>' });
        await refused(xml, 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
        assert.equal(await count(), 0);
      });

      test('refused: oversized body → 413', async () => {
        const res = await post(body({ description: 'x'.repeat(t.services.config.bodyLimit + 1) }));
        await refused(res, 413, 'ERR_BODY_TOO_LARGE');
        assert.equal(await count(), 0);
      });

      test('refused: malformed JSON → 400', async () => {
        const res = await t.app.inject({ method: 'POST', url: URL, headers: { ...admin, 'content-type': 'application/json' }, payload: '{"owner":' });
        await refused(res, 400, 'ERR_INVALID_INPUT', 'body');
        assert.equal(await count(), 0);
      });

      test('refused: no token → 401, auditor or workload token → 403; nothing stored', async () => {
        assert.equal((await t.app.inject({ method: 'POST', url: URL, payload: body() })).statusCode, 401);
        await refused(await post(body(), auditor), 403, 'ERR_FORBIDDEN');
        await refused(await post(body(), workload), 403, 'ERR_FORBIDDEN');
        assert.equal(await count(), 0);
      });
    });

    describe('GET', () => {
      test('lists with filters, repeatable label filters and pagination', async () => {
        const a = await create({ spiffeId: 'spiffe://tessera.local/a', labels: { app: 'pay', region: 'eu' } });
        const b = await create({ spiffeId: 'spiffe://tessera.local/b', owner: 'team-b', tier: 2, labels: { app: 'pay', region: 'us' } });
        const c = await create({ spiffeId: 'spiffe://tessera.local/c', environment: 'dev', tier: 3, labels: { app: 'web' } });
        const get = async (qs: string, headers = admin) => {
          const res = await t.app.inject({ method: 'GET', url: `${URL}${qs}`, headers });
          assert.equal(res.statusCode, 200, res.body);
          return res.json() as { items: { id: string }[]; nextCursor: string | null };
        };
        const ids = async (qs: string) => (await get(qs)).items.map((i) => i.id);
        assert.deepEqual(await ids(''), [a.id, b.id, c.id]);
        assert.deepEqual(await ids('?owner=team-b'), [b.id]);
        assert.deepEqual(await ids('?environment=prod'), [a.id, b.id]);
        assert.deepEqual(await ids('?tier=3'), [c.id]);
        assert.deepEqual(await ids('?label=app%3Dpay'), [a.id, b.id]);
        assert.deepEqual(await ids('?label=app%3Dpay&label=region%3Deu'), [a.id]);
        const p1 = await get('?limit=2', auditor);
        assert.deepEqual(p1.items.map((i) => i.id), [a.id, b.id]);
        assert.equal(typeof p1.nextCursor, 'string');
        const p2 = await get(`?limit=2&cursor=${encodeURIComponent(p1.nextCursor!)}`);
        assert.deepEqual(p2.items.map((i) => i.id), [c.id]);
        assert.equal(p2.nextCursor, null);
      });

      test('refused list queries → 400 naming the field', async () => {
        for (const [qs, field] of [['?limit=0', 'limit'], ['?limit=501', 'limit'], ['?limit=ten', 'limit'], ['?tier=x', 'tier'],
          ['?cursor=bogus', 'cursor'], ['?label=novalue', 'label'], ['?label=a%3Db&label=a%3Dc', 'label'], ['?colour=red', 'colour'], ['?environment=PROD', 'environment']] as const) {
          const res = await t.app.inject({ method: 'GET', url: `${URL}${qs}`, headers: admin });
          await refused(res, 400, 'ERR_INVALID_INPUT', field);
        }
      });

      test('gets one by id or by URL-encoded SPIFFE ID; unknown → 404', async () => {
        const a = await create();
        for (const ref of [a.id, encodeURIComponent(payments)]) {
          const res = await t.app.inject({ method: 'GET', url: `${URL}/${ref}`, headers: auditor });
          assert.equal(res.statusCode, 200, res.body);
          assert.deepEqual(res.json(), a);
        }
        await refused(await t.app.inject({ method: 'GET', url: `${URL}/${encodeURIComponent('spiffe://tessera.local/none')}`, headers: admin }), 404, 'ERR_NOT_FOUND');
      });

      test('reads need admin or auditor: workload → 403, none → 401', async () => {
        assert.equal((await t.app.inject({ method: 'GET', url: URL, headers: workload })).statusCode, 403);
        assert.equal((await t.app.inject({ method: 'GET', url: URL })).statusCode, 401);
      });
    });

    describe('PATCH, disable, enable, DELETE', () => {
      const patch = (ref: string, payload: unknown, headers: Record<string, string> = admin) =>
        t.app.inject({ method: 'PATCH', url: `${URL}/${ref}`, headers, payload: payload as Record<string, unknown> });

      test('PATCH updates the fields given', async () => {
        const a = await create();
        const res = await patch(a.id, { owner: 'team-z', labels: { k: 'v' }, maxTtl: '30m' });
        assert.equal(res.statusCode, 200, res.body);
        const j = res.json();
        assert.equal(j.owner, 'team-z');
        assert.deepEqual(j.labels, { k: 'v' });
        assert.equal(j.maxTtl, 1800);
        assert.equal(j.maxTtlText, '30m');
        assert.equal((await t.store.identities.get(a.id))?.owner, 'team-z');
        const ev = await t.store.audit.last();
        assert.equal(ev?.action, 'identity.update');
        assert.deepEqual(Object.keys(JSON.parse(ev!.details).changed).sort(), ['labels', 'maxTtlSeconds', 'owner']);
      });

      test('PATCH refusals: environment, SPIFFE ID, TTL, unknown field, content type; nothing changed', async () => {
        const a = await create();
        const stored = await t.store.identities.get(a.id);
        await refused(await patch(a.id, { environment: 'dev' }), 400, 'ERR_ENVIRONMENT_IMMUTABLE', 'environment');
        await refused(await patch(a.id, { spiffeId: 'spiffe://tessera.local/x' }), 400, 'ERR_INVALID_INPUT', 'spiffeId');
        await refused(await patch(a.id, { ttl: '90m' }), 400, 'ERR_TTL_ABOVE_TIER_MAX', 'ttl');
        await refused(await patch(a.id, { owner: '' }), 400, 'ERR_OWNER_REQUIRED', 'owner');
        await refused(await patch(a.id, { createdBy: 'x' }), 400, 'ERR_INVALID_INPUT', 'createdBy');
        await refused(await patch(a.id, {}), 400, 'ERR_INVALID_INPUT', 'body');
        await refused(await t.app.inject({ method: 'PATCH', url: `${URL}/${a.id}`, headers: { ...admin, 'content-type': 'text/plain' }, payload: '{"owner":"x"}' }), 415, 'ERR_UNSUPPORTED_MEDIA_TYPE');
        await refused(await patch('no-such-id', { owner: 'x' }), 404, 'ERR_NOT_FOUND');
        await refused(await patch(a.id, { owner: 'x' }, auditor), 403, 'ERR_FORBIDDEN');
        assert.deepEqual(await t.store.identities.get(a.id), stored);
      });

      test('disable, enable and delete (204), by id or SPIFFE ID', async () => {
        const a = await create();
        const d = await t.app.inject({ method: 'POST', url: `${URL}/${a.id}/disable`, headers: admin });
        assert.equal(d.statusCode, 200, d.body);
        assert.match(d.json().disabledAt, /Z$/);
        assert.equal(d.json().disabledBy, 'admin');
        const events = await t.store.audit.list({ limit: 2, newestFirst: true });
        assert.deepEqual(events.map((e) => e.action).sort(), ['identity.disable', 'revocation.create']);
        // the disable reaches the deny-list feed as an identity revocation
        const feed = await t.app.inject({ method: 'GET', url: '/v1/revocations', headers: admin });
        assert.ok(feed.json().items.some((r: { kind: string; value: string }) => r.kind === 'identity' && r.value === a.spiffeId));
        const e = await t.app.inject({ method: 'POST', url: `${URL}/${encodeURIComponent(payments)}/enable`, headers: admin });
        assert.equal(e.statusCode, 200, e.body);
        assert.equal(e.json().disabledAt, null);
        assert.equal((await t.store.audit.last())?.action, 'identity.enable');
        await refused(await t.app.inject({ method: 'DELETE', url: `${URL}/${a.id}`, headers: auditor }), 403, 'ERR_FORBIDDEN');
        const del = await t.app.inject({ method: 'DELETE', url: `${URL}/${encodeURIComponent(payments)}`, headers: admin });
        assert.equal(del.statusCode, 204);
        assert.equal(del.body, '');
        assert.equal(await count(), 0);
        assert.equal((await t.store.audit.last())?.action, 'identity.delete');
        await refused(await t.app.inject({ method: 'DELETE', url: `${URL}/${a.id}`, headers: admin }), 404, 'ERR_NOT_FOUND');
        await refused(await t.app.inject({ method: 'POST', url: `${URL}/${a.id}/disable`, headers: admin }), 404, 'ERR_NOT_FOUND');
      });
    });

    test('every identity route declares its roles: writes admin, reads admin and auditor', () => {
      const mine = t.routes.filter((r) => r.url.startsWith(URL));
      // 7 registry routes, and the 2 static-key routes under /:id/keys (same role rules).
      assert.equal(mine.length, 9);
      for (const r of mine) {
        assert.deepEqual(r.auth, r.method === 'GET' ? ['admin', 'auditor'] : ['admin'], `${r.method} ${r.url}`);
      }
    });
  });
}
