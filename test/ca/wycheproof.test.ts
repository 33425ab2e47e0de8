// Wycheproof vectors through the exact functions Tessera's verifiers call: the raw signature
// check (verifySignature) and the compact JWS path (verifierKeyFromJwk + verifyJws).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey } from 'node:crypto';
import { verifySignature, verifierKeyFromJwk, verifyJws, type VerifierKey } from '../../src/ca/index.ts';

// The vectors live next to the repository (../shared/vectors, see DESIGN.md); a missing folder
// fails the test rather than skipping it.
const DIR = process.env.TESSERA_TEST_VECTORS
  ? join(process.env.TESSERA_TEST_VECTORS, 'wycheproof')
  : join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors', 'wycheproof');
const load = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as {
  numberOfTests: number;
  testGroups: { publicKeyJwk?: JsonWebKey; publicKeyPem?: string; public?: unknown; private?: unknown; comment?: string;
    tests: { tcId: number; comment: string; msg?: string; sig?: string; jws?: unknown; result: 'valid' | 'invalid' | 'acceptable'; flags: string[] }[] }[];
};
type JsonWebKey = import('node:crypto').JsonWebKey;

function runRaw(file: string, alg: 'ES256' | 'EdDSA') {
  const data = load(file);
  let count = 0;
  const acceptable: { tcId: number; accepted: boolean }[] = [];
  const wrong: string[] = [];
  for (const g of data.testGroups) {
    const key = createPublicKey({ key: g.publicKeyPem!, format: 'pem' });
    for (const t of g.tests) {
      count++;
      const got = verifySignature(alg, key, Buffer.from(t.msg!, 'hex'), Buffer.from(t.sig!, 'hex'));
      // The same vector must give the same answer twice (no hidden state).
      assert.equal(verifySignature(alg, key, Buffer.from(t.msg!, 'hex'), Buffer.from(t.sig!, 'hex')), got);
      if (t.result === 'acceptable') acceptable.push({ tcId: t.tcId, accepted: got });
      else if (got !== (t.result === 'valid')) wrong.push(`tcId ${t.tcId} (${t.comment}): expected ${t.result}, got ${got ? 'accepted' : 'rejected'}`);
    }
  }
  return { count, total: data.numberOfTests, acceptable, wrong };
}

test('ECDSA P-256 SHA-256 P1363 (Wycheproof): every vector gives the expected result', () => {
  const r = runRaw('ecdsa_secp256r1_sha256_p1363_test.json', 'ES256');
  assert.equal(r.count, r.total, 'every vector in the file was run');
  assert.ok(r.count > 200);
  assert.deepEqual(r.wrong, []);
  // This file has no "acceptable" vectors today; should some appear, record which way we go.
  assert.deepEqual(r.acceptable.filter((a) => a.accepted), [], `acceptable vectors we accept: ${JSON.stringify(r.acceptable)}`);
});

test('Ed25519 (Wycheproof): every vector gives the expected result (EdDSA assertions use this check)', () => {
  const r = runRaw('ed25519_test.json', 'EdDSA');
  assert.equal(r.count, r.total);
  assert.deepEqual(r.wrong, []);
  assert.deepEqual(r.acceptable.filter((a) => a.accepted), [], `acceptable vectors we accept: ${JSON.stringify(r.acceptable)}`);
});

test('JSON Web Signature (Wycheproof): applicable vectors verify as expected; every invalid one is rejected', () => {
  const data = load('json_web_signature_test.json');
  let applicable = 0;
  let validAccepted = 0;
  const wrong: string[] = [];
  for (const g of data.testGroups) {
    // Our path verifies against a registered public key; groups with only a symmetric (HS*)
    // key have no public key, and Tessera never verifies HS*: those tokens must all fail.
    let key: VerifierKey | undefined;
    try { key = g.public !== undefined ? verifierKeyFromJwk(g.public) : undefined; } catch { key = undefined; }
    for (const t of g.tests) {
      const accepted = key !== undefined && typeof t.jws === 'string' && verifyJws(t.jws, key).ok;
      if (key !== undefined) {
        applicable++;
        if (accepted !== (t.result === 'valid')) wrong.push(`tcId ${t.tcId} (${t.comment}): expected ${t.result}`);
        if (accepted) validAccepted++;
      } else if (accepted) {
        wrong.push(`tcId ${t.tcId} (${t.comment}): accepted without a usable key`);
      }
      if (t.result === 'invalid' && accepted) wrong.push(`tcId ${t.tcId} (${t.comment}): invalid but accepted`);
    }
  }
  assert.deepEqual(wrong, []);
  // The ES256 groups (plain and special cases) are applicable; keys marked for encryption
  // ("use": "enc", "key_ops": ["encrypt"]) are refused at import, so their tokens fail too.
  assert.ok(applicable >= 39, `applicable vectors: ${applicable}`);
  assert.ok(validAccepted >= 2, 'the valid ES256 vectors are accepted');
});
