import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { chmodSync, readFileSync } from 'node:fs';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { STORE_KINDS } from '../helpers/test-store.ts';
import { createCsr, toPem } from '../../src/ca/x509/index.ts';
import { SYSTEM } from '../../src/shared/context.ts';
import { scratch, openssl, opensslOk } from '../ca/x509/test-ca.ts';

const URL = '/v1/x509-svids';
const payments = 'spiffe://tessera.local/ns/prod/sa/payments';
const batch = 'spiffe://tessera.local/ns/prod/sa/batch';
const SVID_MAX = 1800; // the server's policy cap in these tests (30m), below tier 1's 1h

const csrPem = (kp = generateKeyPairSync('ec', { namedCurve: 'P-256' }), uris?: string[]) =>
  toPem(createCsr({ privateKey: kp.privateKey, uris }), 'CERTIFICATE REQUEST');

interface SvidJson { spiffeId: string; certificate: string; chain: string[]; bundle: string[]; serial: string; notBefore: string; expiresAt: string }

for (const kind of STORE_KINDS) {
  describe(`POST /v1/x509-svids on ${kind}`, () => {
    let t: TestServer;
    let admin: { authorization: string };
    let files: ReturnType<typeof scratch>;
    let paymentsId: string;
    before(async () => {
      t = await startTestServer({ store: kind, config: { svidMaxTtl: SVID_MAX } });
      admin = await t.adminHeaders();
      files = scratch();
      const create = async (spiffeId: string) => {
        const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: admin, payload: { spiffeId, owner: 'team-pay', environment: 'prod', tier: 1, ttl: '1h' } });
        assert.equal(res.statusCode, 201, res.body);
        return res.json().id as string;
      };
      paymentsId = await create(payments);
      const batchId = await create(batch);
      assert.equal((await t.app.inject({ method: 'POST', url: `/v1/identities/${batchId}/disable`, headers: admin })).statusCode, 200);
    });
    after(async () => { await t.close(); files.cleanup(); });

    const post = (payload: Record<string, unknown>, headers: Record<string, string> = admin) =>
      t.app.inject({ method: 'POST', url: URL, headers, payload });

    /** openssl verify -CAfile bundle.pem [-untrusted chain.pem] svid.pem, as a relying party would. */
    function opensslVerifies(svid: SvidJson): void {
      const bundle = files.file(`bundle-${svid.serial}.pem`, svid.bundle.join(''));
      const leaf = files.file(`svid-${svid.serial}.pem`, svid.certificate);
      const chain = svid.chain.length ? ['-untrusted', files.file(`chain-${svid.serial}.pem`, svid.chain.join(''))] : [];
      assert.match(opensslOk(['verify', '-CAfile', bundle, ...chain, leaf]), /: OK/);
    }

    async function lastAudit() {
      const ev = await t.store.audit.last();
      assert.ok(ev);
      return { ...ev, details: JSON.parse(ev.details) as Record<string, unknown> };
    }

    test('issues a chain that openssl and node:crypto verify, and audits the issuance', async () => {
      const kp = generateKeyPairSync('ec', { namedCurve: 'P-256' });
      const before = Date.now();
      const res = await post({ identity: payments, csr: csrPem(kp), ttl: '10m' });
      assert.equal(res.statusCode, 200, res.body);
      const svid = res.json() as SvidJson;
      assert.equal(svid.spiffeId, payments);
      assert.match(svid.serial, /^[0-9a-f]{32}$/);
      assert.ok(svid.bundle.length >= 1);
      opensslVerifies(svid);

      const x = new X509Certificate(svid.certificate);
      assert.equal(x.subjectAltName, `URI:${payments}`);
      assert.equal(x.ca, false);
      assert.ok(x.checkPrivateKey(kp.privateKey));
      const issuer = new X509Certificate(svid.chain[0] ?? svid.bundle[0]!);
      assert.ok(x.checkIssued(issuer));
      assert.ok(x.verify(issuer.publicKey));
      assert.equal(new Date(svid.expiresAt).getTime(), new Date(x.validTo).getTime());
      const lifetime = new Date(svid.expiresAt).getTime() - before;
      assert.ok(lifetime <= 600_000 && lifetime > 590_000, String(lifetime));

      const ev = await lastAudit();
      assert.equal(ev.action, 'svid.x509.issue');
      assert.equal(ev.outcome, 'success');
      assert.equal(ev.target, payments);
      assert.equal(ev.actor, 'admin');
      assert.equal(ev.details.serial, svid.serial);
      assert.equal(ev.details.spiffeId, payments);
      assert.equal(ev.details.ttl, 600);
      assert.equal(ev.details.keyType, 'ec-p256');
      assert.equal(ev.requestId, res.headers['x-request-id']);
    });

    test('by identity id too; Ed25519 and RSA-2048 keys; the lifetime defaults to the policy cap', async () => {
      for (const kp of [generateKeyPairSync('ed25519'), generateKeyPairSync('rsa', { modulusLength: 2048 })]) {
        const res = await post({ identity: paymentsId, csr: csrPem(kp) });
        assert.equal(res.statusCode, 200, res.body);
        const svid = res.json() as SvidJson;
        opensslVerifies(svid);
        assert.equal((await lastAudit()).details.ttl, SVID_MAX);
      }
    });

    test('the CSR asking for another SPIFFE ID (made by openssl) still gets the registered one', async () => {
      const key = files.file('other.key');
      const csrFile = files.file('other.csr');
      opensslOk(['req', '-new', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', csrFile,
        '-subj', '/CN=spiffe admin', '-addext', 'subjectAltName=URI:spiffe://tessera.local/ns/prod/sa/admin,DNS:evil.example']);
      const res = await post({ identity: payments, csr: readFileSync(csrFile, 'utf8') });
      assert.equal(res.statusCode, 200, res.body);
      const svid = res.json() as SvidJson;
      const x = new X509Certificate(svid.certificate);
      assert.equal(x.subjectAltName, `URI:${payments}`);
      assert.ok(!x.subject, 'empty subject: the CSR\'s CN is ignored');
      opensslVerifies(svid);
    });

    test('TTL: above the policy cap is capped; above the identity\'s maximum is refused and audited', async () => {
      const capped = await post({ identity: payments, csr: csrPem(), ttl: '45m' });
      assert.equal(capped.statusCode, 200, capped.body);
      assert.equal((await lastAudit()).details.ttl, SVID_MAX);

      const res = await post({ identity: payments, csr: csrPem(), ttl: '2h' });
      assert.equal(res.statusCode, 400);
      assert.equal(res.json().code, 'ERR_TTL_ABOVE_TIER_MAX');
      assert.equal(res.json().field, 'ttl');
      const ev = await lastAudit();
      assert.equal(ev.action, 'svid.x509.issue');
      assert.equal(ev.outcome, 'denied');
      assert.equal(ev.target, payments);
      assert.equal(ev.details.code, 'ERR_TTL_ABOVE_TIER_MAX');

      const bad = await post({ identity: payments, csr: csrPem(), ttl: 'soon' });
      assert.equal(bad.statusCode, 400);
      assert.equal(bad.json().code, 'ERR_INVALID_DURATION');
      assert.equal((await lastAudit()).outcome, 'denied');
    });

    /** A refusal: status, code and field, a denied audit event, and no issuance recorded. */
    async function refused(payload: Record<string, unknown>, status: number, code: string, field: string, target?: string) {
      const issuedBefore = (await t.store.audit.list({ action: 'svid.x509.issue', outcome: 'success', limit: 1000 })).length;
      const res = await post(payload);
      assert.equal(res.statusCode, status, res.body);
      assert.match(String(res.headers['content-type']), /application\/problem\+json/);
      assert.equal(res.json().code, code);
      assert.equal(res.json().field, field);
      const ev = await lastAudit();
      assert.equal(ev.action, 'svid.x509.issue');
      assert.equal(ev.outcome, 'denied');
      assert.equal(ev.details.code, code);
      if (target !== undefined) assert.equal(ev.target, target);
      assert.equal((await t.store.audit.list({ action: 'svid.x509.issue', outcome: 'success', limit: 1000 })).length, issuedBefore, 'nothing issued');
    }

    test('unknown and disabled identities are refused and audited', async () => {
      await refused({ identity: 'spiffe://tessera.local/ns/prod/sa/nobody', csr: csrPem() }, 404, 'ERR_NOT_FOUND', 'identity', 'spiffe://tessera.local/ns/prod/sa/nobody');
      await refused({ identity: '01NOTANID', csr: csrPem() }, 404, 'ERR_NOT_FOUND', 'identity');
      await refused({ identity: batch, csr: csrPem() }, 409, 'ERR_IDENTITY_DISABLED', 'identity', batch);
      await refused({ csr: csrPem() }, 400, 'ERR_INVALID_INPUT', 'identity');
    });

    test('bad CSRs: flipped signature, RSA-1024, garbage, truncated, oversized, missing', async () => {
      const good = createCsr({ privateKey: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey });
      const flipped = Buffer.from(good);
      flipped[flipped.length - 3]! ^= 0x01;
      await refused({ identity: payments, csr: toPem(flipped, 'CERTIFICATE REQUEST') }, 400, 'ERR_INVALID_CSR', 'csr', payments);
      await refused({ identity: payments, csr: csrPem(generateKeyPairSync('rsa', { modulusLength: 1024 })) }, 400, 'ERR_UNSUPPORTED_KEY', 'csr', payments);
      await refused({ identity: payments, csr: 'hello' }, 400, 'ERR_INVALID_CSR', 'csr');
      await refused({ identity: payments, csr: toPem(good.subarray(0, 40), 'CERTIFICATE REQUEST') }, 400, 'ERR_INVALID_CSR', 'csr');
      await refused({ identity: payments, csr: toPem(Buffer.alloc(20_000, 0x30), 'CERTIFICATE REQUEST') }, 400, 'ERR_INVALID_CSR', 'csr');
      await refused({ identity: payments }, 400, 'ERR_INVALID_INPUT', 'csr');
    });

    test('dnsNames: in the SAN after the one URI, checked by openssl -verify_hostname and checkHost, audited', async () => {
      const names = ['tessera.tessera-system.svc', 'tessera.tessera-system.svc.cluster.local'];
      const res = await post({ identity: payments, csr: csrPem(), dnsNames: names });
      assert.equal(res.statusCode, 200, res.body);
      const svid = res.json() as SvidJson & { dnsNames: string[] };
      assert.deepEqual(svid.dnsNames, names);
      const x = new X509Certificate(svid.certificate);
      assert.equal(x.subjectAltName, `URI:${payments}, DNS:${names[0]}, DNS:${names[1]}`);
      assert.equal(x.checkHost(names[0]!), names[0]);
      assert.equal(x.checkHost('other.tessera-system.svc'), undefined);
      const bundle = files.file(`bundle-dns-${svid.serial}.pem`, svid.bundle.join(''));
      const leaf = files.file(`svid-dns-${svid.serial}.pem`, [svid.certificate, ...svid.chain].join(''));
      assert.match(opensslOk(['verify', '-CAfile', bundle, '-untrusted', leaf, '-verify_hostname', names[0]!, leaf]), /: OK/);
      assert.notEqual(openssl(['verify', '-CAfile', bundle, '-untrusted', leaf, '-verify_hostname', 'other.tessera-system.svc', leaf]).code, 0);
      const ev = await lastAudit();
      assert.equal(ev.outcome, 'success');
      assert.deepEqual(ev.details.dnsNames, names);

      // Without dnsNames: no DNS SAN, and the audit event does not mention them.
      const plain = await post({ identity: payments, csr: csrPem() });
      assert.equal(new X509Certificate(plain.json().certificate).subjectAltName, `URI:${payments}`);
      assert.equal(plain.json().dnsNames, undefined);
      assert.equal((await lastAudit()).details.dnsNames, undefined);
    });

    test('bad dnsNames are refused, audited as denied, and nothing is issued', async () => {
      for (const dnsNames of [['*.tessera-system.svc'], ['Tessera.svc'], ['tessera_x.svc'], ['10.0.0.1'], [`${'a'.repeat(64)}.svc`],
        Array.from({ length: 11 }, (_, i) => `n${i}.svc`), ['a.svc', 'a.svc'], ['']]) {
        await refused({ identity: payments, csr: csrPem(), dnsNames }, 400, 'ERR_INVALID_INPUT', 'dnsNames', payments);
      }
    });

    test('body schema: unknown fields and wrong types are refused before anything happens', async () => {
      const seq = (await t.store.audit.head()).seq;
      for (const [payload, field] of [[{ identity: payments, csr: csrPem(), subject: 'x' }, 'subject'], [{ identity: 5, csr: csrPem() }, 'identity'],
        [{ identity: payments, csr: csrPem(), dnsNames: 'a.svc' }, 'dnsNames'], [{ identity: payments, csr: csrPem(), dnsNames: [5] }, 'dnsNames.0']] as const) {
        const res = await post(payload as Record<string, unknown>);
        assert.equal(res.statusCode, 400);
        assert.equal(res.json().code, 'ERR_INVALID_INPUT');
        assert.equal(res.json().field, field);
      }
      assert.equal((await t.store.audit.head()).seq, seq);
    });

    test('admin only: no token 401, auditor and workload 403', async () => {
      assert.equal((await post({ identity: payments, csr: csrPem() }, {})).statusCode, 401);
      for (const role of ['auditor', 'workload'] as const) {
        const res = await post({ identity: payments, csr: csrPem() }, { authorization: `Bearer ${await t.tokenFor([role])}` });
        assert.equal(res.statusCode, 403, role);
      }
    });

    test('after a CA rotation, new SVIDs chain to the new CA and the bundle carries both', async () => {
      const ca = t.services.ca;
      const beforeKid = ca.x509Issuer().kid;
      await ca.rotate('x509-ca', SYSTEM);
      assert.notEqual(ca.x509Issuer().kid, beforeKid);
      const res = await post({ identity: payments, csr: csrPem() });
      assert.equal(res.statusCode, 200, res.body);
      const svid = res.json() as SvidJson;
      assert.ok(svid.bundle.length >= 2);
      opensslVerifies(svid);
      const x = new X509Certificate(svid.certificate);
      assert.ok(x.checkIssued(new X509Certificate(ca.x509Issuer().certDer)));
    });
  });
}

describe('POST /v1/x509-svids with an operator-supplied root (Tessera\'s CA is an intermediate)', () => {
  let t: TestServer;
  let files: ReturnType<typeof scratch>;
  let rootPem: string;
  before(async () => {
    files = scratch();
    const key = files.file('root.key');
    const cert = files.file('root.pem');
    opensslOk(['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', key, '-out', cert,
      '-days', '30', '-subj', '/O=Example Corp/CN=Example Root CA']);
    chmodSync(key, 0o600);
    rootPem = readFileSync(cert, 'utf8');
    t = await startTestServer({ config: { caRootCert: cert, caRootKey: key } });
    const res = await t.app.inject({ method: 'POST', url: '/v1/identities', headers: await t.adminHeaders(), payload: { spiffeId: payments, owner: 'team-pay', environment: 'prod', tier: 1, ttl: '1h' } });
    assert.equal(res.statusCode, 201, res.body);
  });
  after(async () => { await t.close(); files.cleanup(); });

  test('the chain is [intermediate], the bundle is the operator root, and openssl verifies the leaf', async () => {
    const res = await t.app.inject({ method: 'POST', url: URL, headers: await t.adminHeaders(), payload: { identity: payments, csr: csrPem() } });
    assert.equal(res.statusCode, 200, res.body);
    const svid = res.json() as SvidJson;
    assert.equal(svid.chain.length, 1, 'the intermediate only: the root travels in the bundle');
    assert.deepEqual(svid.bundle.map((p) => new X509Certificate(p).fingerprint256), [new X509Certificate(rootPem).fingerprint256]);
    const bundle = files.file('bundle.pem', svid.bundle.join(''));
    const chain = files.file('chain.pem', svid.chain.join(''));
    const leaf = files.file('svid.pem', svid.certificate);
    assert.match(opensslOk(['verify', '-CAfile', bundle, '-untrusted', chain, leaf]), /: OK/);
    // The leaf alone does not reach the root: the intermediate is needed.
    const alone = openssl(['verify', '-CAfile', bundle, leaf]);
    assert.notEqual(alone.code, 0);
    assert.match(alone.stdout + alone.stderr, /unable to get local issuer certificate/);
    const inter = new X509Certificate(svid.chain[0]!);
    assert.ok(inter.ca);
    assert.ok(inter.checkIssued(new X509Certificate(rootPem)));
    assert.ok(new X509Certificate(svid.certificate).checkIssued(inter));
  });
});
