// X509-SVID issuance on one core, in-process, with the CSR already parsed (the work the CA does
// per certificate: serial, validity, key identifier, the template filled, the ECDSA P-256
// signature), against raw node:crypto ES256 `sign` of a payload the size of our TBSCertificate,
// measured in the same run. Goal (issue 3): ratio ≥ 0.3. Rounds alternate between the two so
// that machine noise hits both alike; each figure is the best round.
// @peculiar/x509 is not a dependency (it was measured under 300 certs/s when the design was
// made), so no peer library is measured here.
import { generateKeyPairSync, randomBytes, sign } from 'node:crypto';
import { createCaCertificate, createCsr, issueX509Svid, parseCsr, prepareIssuer } from '../src/ca/x509/index.ts';
import { children, encodingOf, readWhole } from '../src/ca/x509/der-reader.ts';
import { formatResult, type BenchResult } from './result.ts';

const ROUND_MS = 700;
const ROUNDS = 4;
const SPIFFE_ID = 'spiffe://tessera.local/ns/prod/sa/payments';

/** Calls per second of fn for about ms (the clock is read every 64 calls). */
function rate(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

export async function benchX509Svid(): Promise<BenchResult[]> {
  const ca = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const now = Date.now();
  const notAfter = now + 86_400_000;
  const certDer = createCaCertificate({ trustDomain: 'tessera.local', subjectPublicKey: ca.publicKey, signingKey: ca.privateKey, notBefore: now - 60_000, notAfter });
  const issuer = prepareIssuer({ kid: 'bench', privateKey: ca.privateKey, certDer, chainDer: [], notAfter });
  const leafKey = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey;
  const csrDer = createCsr({ privateKey: leafKey });
  const csr = parseCsr(csrDer);

  // The floor signs exactly as many bytes as our TBSCertificate has.
  const sample = issueX509Svid(issuer, SPIFFE_ID, csr, 900, Date.now()).certDer;
  const [tbs] = children(sample, readWhole(sample, 0x30, 'Certificate'));
  const payload = randomBytes(encodingOf(sample, tbs!).length);
  const signOpts = { key: ca.privateKey, dsaEncoding: 'der' } as const;

  let floor = 0;
  let ours = 0;
  let withCsr = 0;
  for (let r = 0; r < ROUNDS; r++) {
    floor = Math.max(floor, rate(() => sign('sha256', payload, signOpts), ROUND_MS));
    ours = Math.max(ours, rate(() => issueX509Svid(issuer, SPIFFE_ID, csr, 900, Date.now()), ROUND_MS));
    withCsr = Math.max(withCsr, rate(() => issueX509Svid(issuer, SPIFFE_ID, parseCsr(csrDer), 900, Date.now()), ROUND_MS));
  }
  const against = `raw ES256 sign of ${payload.length} bytes`;
  return [
    { name: `x509-svid: raw ES256 sign, ${payload.length}-byte payload (floor)`, value: floor, unit: 'signs/s' },
    { name: 'x509-svid: issue, CSR already parsed', value: ours, unit: 'certs/s', ratio: ours / floor, against },
    { name: 'x509-svid: parse + check the CSR, then issue', value: withCsr, unit: 'certs/s', ratio: withCsr / floor, against },
  ];
}

if (import.meta.main) {
  for (const r of await benchX509Svid()) console.log(formatResult(r));
}
