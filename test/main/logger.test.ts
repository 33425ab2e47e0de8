// Credentials never reach a log line: the redaction list on its own, then a whole server at debug.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, rmSync } from 'node:fs';
import { createPrivateKey, randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import * as jose from 'jose';
import type { FastifyInstance } from 'fastify';
import { createLogger, REDACT_PATHS } from '../../src/main/logger.ts';
import { buildServices } from '../../src/main/build-services.ts';
import { buildApp } from '../../src/http/app.ts';
import type { Services } from '../../src/http/services.ts';
import { DEFAULTS } from '../../src/config/schema.ts';
import { JWT_BEARER_GRANT } from '../../src/access/index.ts';
import { tempDir } from '../helpers/temp.ts';

/** A destination that keeps every line pino writes. */
function capture() {
  const chunks: string[] = [];
  const stream = new Writable({ write(chunk, _enc, done) { chunks.push(String(chunk)); done(); } });
  return {
    stream,
    text: () => chunks.join(''),
    lines: () => chunks.join('').split('\n').filter((l) => l !== '').map((l) => JSON.parse(l) as Record<string, unknown>),
  };
}

/** Lets the stream's queued writes land. */
const settle = () => new Promise((r) => setImmediate(r));

const SECRET_KEYS = ['assertion', 'access_token', 'password', 'privateKey', 'kek'] as const;

describe('logger redaction', () => {
  async function logOne(obj: Record<string, unknown>): Promise<Record<string, unknown>> {
    const c = capture();
    createLogger('info', c.stream).info(obj, 'line');
    await settle();
    const lines = c.lines();
    assert.equal(lines.length, 1);
    return lines[0]!;
  }

  for (const key of SECRET_KEYS) {
    test(`${key} is censored at the top level and nested one level, other fields kept`, async () => {
      const secret = `s3cr3t-${key}-${randomUUID()}`;
      const top = await logOne({ [key]: secret, user: 'alice' });
      assert.equal(top[key], '[redacted]');
      assert.equal(top.user, 'alice');
      assert.equal(top.service, 'tessera');
      const nested = await logOne({ body: { [key]: secret, grant: 'kept' } });
      assert.deepEqual(nested.body, { [key]: '[redacted]', grant: 'kept' });
      assert.ok(!JSON.stringify([top, nested]).includes(secret));
    });
  }

  test('authorization headers are censored wherever a request or headers object puts them', async () => {
    const token = `Bearer eyJ.${randomUUID()}.sig`;
    const line = await logOne({
      authorization: token,
      headers: { authorization: token, accept: 'application/json' },
      req: { method: 'GET', headers: { authorization: token, cookie: `sid=${randomUUID()}`, dpop: 'eyJ.proof.sig', host: 'x' } },
      upstream: { authorization: token },
    });
    assert.equal(line.authorization, '[redacted]');
    assert.deepEqual(line.headers, { authorization: '[redacted]', accept: 'application/json' });
    assert.deepEqual(line.req, { method: 'GET', headers: { authorization: '[redacted]', cookie: '[redacted]', dpop: '[redacted]', host: 'x' } });
    assert.deepEqual(line.upstream, { authorization: '[redacted]' });
    assert.ok(!JSON.stringify(line).includes(token));
  });

  test('redaction censors the log line, not the caller\'s object', async () => {
    const obj = { password: 'hunter2', nested: { kek: 'k' } };
    await logOne(obj);
    assert.deepEqual(obj, { password: 'hunter2', nested: { kek: 'k' } });
  });

  test('child loggers (one per request in Fastify) redact too', async () => {
    const c = capture();
    createLogger('info', c.stream).child({ reqId: 'r-1' }).info({ access_token: 'at-xyz', body: { assertion: 'as-xyz' } }, 'child');
    await settle();
    const [line] = c.lines();
    assert.deepEqual([line!.reqId, line!.access_token, (line!.body as Record<string, unknown>).assertion], ['r-1', '[redacted]', '[redacted]']);
    assert.ok(!c.text().includes('at-xyz') && !c.text().includes('as-xyz'));
  });

  test('the redaction list covers every credential-bearing name the brief lists', () => {
    for (const k of [...SECRET_KEYS, 'authorization']) {
      assert.ok(REDACT_PATHS.includes(k), `${k} not redacted at the top level`);
      assert.ok(REDACT_PATHS.includes(`*.${k}`), `${k} not redacted one level down`);
    }
  });
});

describe('a whole server logging at debug', () => {
  const log = capture();
  let dataDir: string;
  let services: Services;
  let app: FastifyInstance;
  before(async () => {
    dataDir = tempDir('tessera-log-');
    const config = { ...DEFAULTS, dataDir, logLevel: 'debug' as const, listen: { host: '127.0.0.1', port: 8080 } };
    services = await buildServices(config, createLogger('debug', log.stream));
    ({ app } = await buildApp(services));
  });
  after(async () => {
    await app.close();
    await services.store.close();
    rmSync(dataDir, { recursive: true, force: true });
  });

  const adminAssertion = async (over: { exp?: number } = {}) => {
    const key = createPrivateKey(readFileSync(services.access.adminKeyPath, 'utf8'));
    const jwt = new jose.SignJWT({}).setProtectedHeader({ alg: 'ES256' }).setIssuer('admin').setSubject('admin')
      .setAudience(services.access.tokenEndpoint).setIssuedAt().setJti(randomUUID());
    return jwt.setExpirationTime(over.exp ?? '60s').sign(key);
  };
  const tokenRequest = (assertion: string, reqId: string) => app.inject({
    method: 'POST', url: '/oauth2/token', headers: { 'content-type': 'application/x-www-form-urlencoded', 'x-request-id': reqId },
    payload: new URLSearchParams({ grant_type: JWT_BEARER_GRANT, assertion }).toString(),
  });
  /** The signature part of a JWT: unique to it, and what an attacker would need. */
  const sigOf = (jwt: string) => jwt.split('.')[2]!;

  function assertNotLogged(secret: string, what: string) {
    const text = log.text();
    assert.ok(!text.includes(secret), `${what} appears in the log`);
    assert.ok(!text.includes(sigOf(secret)), `the signature of ${what} appears in the log`);
  }
  function linesOf(reqId: string) {
    return log.lines().filter((l) => l.reqId === reqId);
  }

  test('a request with a real bearer token: logged with its request id, the token nowhere', async () => {
    const { accessToken } = await services.access.issueToken({ id: 'admin', roles: ['admin'] });
    const res = await app.inject({ method: 'GET', url: '/v1/identities', headers: { authorization: `Bearer ${accessToken}`, 'x-request-id': 'log-bearer-1' } });
    assert.equal(res.statusCode, 200, res.body);
    await settle();
    const mine = linesOf('log-bearer-1');
    assert.ok(mine.length >= 2, `expected request and response lines with reqId, got ${JSON.stringify(mine)}`);
    assert.ok(mine.some((l) => (l.req as Record<string, unknown> | undefined)?.url === '/v1/identities'), 'no incoming-request line');
    assert.ok(mine.some((l) => (l.res as Record<string, unknown> | undefined)?.statusCode === 200), 'no completed-request line');
    assertNotLogged(accessToken, 'the access token');
  });

  test('a refused bearer token (tampered) is not logged either', async () => {
    const { accessToken } = await services.access.issueToken({ id: 'admin', roles: ['admin'] });
    const tampered = `${accessToken.slice(0, -4)}AAAA`;
    const res = await app.inject({ method: 'GET', url: '/v1/identities', headers: { authorization: `Bearer ${tampered}`, 'x-request-id': 'log-bearer-2' } });
    assert.equal(res.statusCode, 401);
    await settle();
    assert.ok(linesOf('log-bearer-2').some((l) => l.code === 'ERR_UNAUTHENTICATED'), 'the refusal is logged under the request id');
    assertNotLogged(tampered, 'the tampered token');
  });

  test('POST /oauth2/token: neither the assertion nor the issued token is logged', async () => {
    const assertion = await adminAssertion();
    const res = await tokenRequest(assertion, 'log-token-1');
    assert.equal(res.statusCode, 200, res.body);
    const issued = res.json().access_token as string;
    await settle();
    assert.ok(linesOf('log-token-1').length >= 2);
    assertNotLogged(assertion, 'the assertion');
    assertNotLogged(issued, 'the issued access token');
  });

  test('a refused assertion (expired, then replayed) is not logged', async () => {
    const expired = await adminAssertion({ exp: Math.floor(Date.now() / 1000) - 3600 });
    const res = await tokenRequest(expired, 'log-token-2');
    assert.equal(res.statusCode, 400, res.body);
    const used = await adminAssertion();
    assert.equal((await tokenRequest(used, 'log-token-3')).statusCode, 200);
    const replay = await tokenRequest(used, 'log-token-4');
    assert.equal(replay.statusCode, 400, replay.body);
    await settle();
    assert.ok(linesOf('log-token-2').some((l) => l.code === 'ERR_INVALID_GRANT'), 'the refusal is logged under the request id');
    assertNotLogged(expired, 'the expired assertion');
    assertNotLogged(used, 'the replayed assertion');
  });

  test('debug level really was on, so the checks above saw everything the server logs', () => {
    const levels = new Set(log.lines().map((l) => l.level));
    assert.ok(services.logger.isLevelEnabled('debug'));
    assert.ok(levels.has(30), 'no info lines at all');
  });
});
