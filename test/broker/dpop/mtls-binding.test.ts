// RFC 8705 certificate-bound tokens over real TLS: X509-SVIDs issued by the server's own CA are
// presented as client certificates (node:tls both sides; no openssl).
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate, type KeyObject } from 'node:crypto';
import { request } from 'node:https';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { buildApp } from '../../../src/http/app.ts';
import { mtlsBinding } from '../../../src/http/mtls-binding.ts';
import { verifyClientSvid, x5tS256 } from '../../../src/broker/dpop/index.ts';
import { createCaCertificate, issueX509Svid, toPem } from '../../../src/ca/x509/index.ts';
import type { X509Issuer } from '../../../src/ca/ca-runtime.ts';

const CLIENT_ID = 'spiffe://tessera.local/ns/prod/sa/client';

interface Cred { certPem: string; keyPem: string; certDer: Buffer; chainPem: string[] }

function pemKey(k: KeyObject): string { return k.export({ type: 'pkcs8', format: 'pem' }) as string; }

function svid(issuer: X509Issuer, spiffeId: string, now = Date.now()): Cred {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const s = issueX509Svid(issuer, spiffeId, publicKey, 600, now);
  return { certDer: s.certDer, certPem: toPem(s.certDer), keyPem: pemKey(privateKey), chainPem: s.chainDer.map((d) => toPem(d)) };
}

/** A CA of the same trust domain name that the server has never heard of. */
function foreignIssuer(): X509Issuer {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const certDer = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: publicKey, signingKey: privateKey, notBefore: now - 60_000, notAfter: now + 86_400_000 });
  return { kid: 'foreign', privateKey, certDer, chainDer: [], notAfter: now + 86_400_000 };
}

function call(port: number, path: string, opts: { client?: Cred; headers?: Record<string, string> } = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request({
      host: '127.0.0.1', port, path, method: 'GET', headers: opts.headers ?? {},
      // The server's certificate is an X509-SVID without an IP SAN: server authentication is not what is tested here.
      rejectUnauthorized: false,
      ...(opts.client ? { cert: [opts.client.certPem, ...opts.client.chainPem].join(''), key: opts.client.keyPem } : {}),
    }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d) => { body += d; });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('mTLS-bound tokens (RFC 8705)', () => {
  let t: TestServer;
  let serverTls: { cert: Buffer; key: Buffer };
  let probe: FastifyInstance;
  let probePort: number;
  let api: FastifyInstance;
  let apiPort: number;

  before(async () => {
    t = await startTestServer();
    const server = svid(t.services.ca.x509Issuer(), 'spiffe://tessera.local/tessera/server');
    serverTls = { cert: Buffer.from(server.certPem + server.chainPem.join('')), key: Buffer.from(server.keyPem) };
    // A bare route calling the helper the token endpoint uses.
    probe = Fastify({ https: { ...serverTls, requestCert: true, rejectUnauthorized: false } });
    probe.get('/probe', async (req) => ({ x5t: mtlsBinding(t.services, req) ?? null, forClient: mtlsBinding(t.services, req, CLIENT_ID) ?? null, forOther: mtlsBinding(t.services, req, 'spiffe://tessera.local/other') ?? null }));
    await probe.listen({ host: '127.0.0.1', port: 0 });
    probePort = (probe.server.address() as AddressInfo).port;
    ({ app: api } = await buildApp(t.services, { https: serverTls }));
    await api.listen({ host: '127.0.0.1', port: 0 });
    apiPort = (api.server.address() as AddressInfo).port;
  });
  after(async () => { await probe?.close(); await api?.close(); await t?.close(); });

  test('x5tS256 is base64url SHA-256 of the DER certificate', () => {
    const c = svid(t.services.ca.x509Issuer(), CLIENT_ID);
    const fingerprint = Buffer.from(new X509Certificate(c.certDer).fingerprint256.replace(/:/g, ''), 'hex');
    assert.equal(x5tS256(c.certDer), fingerprint.toString('base64url'));
  });

  test('an X509-SVID of our trust domain as client certificate gives its thumbprint, only for its own identity', async () => {
    const c = svid(t.services.ca.x509Issuer(), CLIENT_ID);
    const r = await call(probePort, '/probe', { client: c });
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body), { x5t: x5tS256(c.certDer), forClient: x5tS256(c.certDer), forOther: null });
  });

  test('no client certificate, or one from a foreign CA: no binding', async () => {
    assert.deepEqual(JSON.parse((await call(probePort, '/probe')).body), { x5t: null, forClient: null, forOther: null });
    const foreign = svid(foreignIssuer(), CLIENT_ID);
    assert.deepEqual(JSON.parse((await call(probePort, '/probe', { client: foreign })).body), { x5t: null, forClient: null, forOther: null });
  });

  test('verifyClientSvid names why a chain is refused', () => {
    const deps = { clock: t.services.clock, ca: t.services.ca };
    const good = svid(t.services.ca.x509Issuer(), CLIENT_ID);
    assert.deepEqual(verifyClientSvid(deps, [good.certDer]), { ok: true, spiffeId: CLIENT_ID, x5tS256: x5tS256(good.certDer) });
    assert.match((verifyClientSvid(deps, []) as { reason: string }).reason, /no client certificate/);
    assert.match((verifyClientSvid(deps, [svid(foreignIssuer(), CLIENT_ID).certDer]) as { reason: string }).reason, /does not chain/);
    assert.match((verifyClientSvid(deps, [t.services.ca.x509Authorities()[0]!.certDer]) as { reason: string }).reason, /CA certificate/);
    assert.match((verifyClientSvid({ ...deps, clock: { now: () => Date.now() + 3_600_000 } }, [good.certDer]) as { reason: string }).reason, /expired/);
    assert.match((verifyClientSvid(deps, [Buffer.from('junk')]) as { reason: string }).reason, /not a valid X.509/);
  });

  test('Tessera API: a certificate-bound admin token works only with that client certificate', async () => {
    await t.tokenFor(['admin'], 'admin');
    const c = svid(t.services.ca.x509Issuer(), CLIENT_ID);
    const { accessToken } = await t.services.access.issueToken({ id: 'admin', roles: ['admin'] }, 300, { 'x5t#S256': x5tS256(c.certDer) });
    const headers = { authorization: `Bearer ${accessToken}` };
    assert.equal((await call(apiPort, '/v1/identities', { client: c, headers })).status, 200);
    const none = await call(apiPort, '/v1/identities', { headers });
    assert.equal(none.status, 401);
    assert.match(JSON.parse(none.body).detail, /client certificate/);
    const other = svid(t.services.ca.x509Issuer(), CLIENT_ID);
    assert.equal((await call(apiPort, '/v1/identities', { client: other, headers })).status, 401);
  });

  test('Tessera API over TLS still serves clients without certificates (requested, not required)', async () => {
    const r = await call(apiPort, '/v1/identities', { headers: await t.adminHeaders() });
    assert.equal(r.status, 200);
  });
});
