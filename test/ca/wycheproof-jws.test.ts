// Every Wycheproof JSON Web Signature and JSON Web Key vector through the generic verifier that
// external issuers' tokens go through (externalVerifierKeyFromJwk / importJwkSet + verifyJws).
// A vector "passes" when the token is accepted exactly when the file says "valid".
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifyJwsWithJwk, verifyJwsWithJwks, type ExternalKeyOptions } from '../../src/ca/index.ts';

const DIR = process.env.TESSERA_TEST_VECTORS
  ? join(process.env.TESSERA_TEST_VECTORS, 'wycheproof')
  : join(import.meta.dirname, '..', '..', '..', 'shared', 'vectors', 'wycheproof');

interface Vector { tcId: number; comment: string; jws: unknown; result: 'valid' | 'invalid' | 'acceptable'; flags?: string[] }
interface Group { comment: string; public?: unknown; private?: unknown; tests: Vector[] }
const load = (f: string) => JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { numberOfTests: number; testGroups: Group[] };

// The keys a verifier is configured with: the group's public key when it has one; a symmetric
// (HS*) group only has the secret, which is what an HMAC verifier holds.
const keyOf = (g: Group) => g.public ?? g.private;
// Symmetric keys are accepted only when asked for; the vectors ask, as a caller verifying HS*
// tokens with a shared secret would.
const OPTS: ExternalKeyOptions = { allowSymmetric: true };

// Six vectors of json_web_signature_test.json contradict the rest of the file or RFC 7515; no
// verifier can give the file's answer for them without breaking a rule other vectors enforce.
// For each: what Tessera does, and why. The last test proves each contradiction from the file.
const CONTRADICTED: Record<number, { we: 'accept' | 'reject'; why: string }> = {
  346: { we: 'reject', why: 'PS384 token for a key declared PS256; tcIds 338/340 (the same situation for a PS512 key) are "invalid" (WrongPrimitive)' },
  350: { we: 'reject', why: 'as 346, key with key_ops' },
  367: { we: 'accept', why: 'byte for byte the token of tcId 357, which the file calls valid (the padding this vector was about is not in the file)' },
  370: { we: 'accept', why: 'as 367' },
  372: { we: 'reject', why: '"?" is not in the base64url alphabet (RFC 7515 §2); only a decoder that skips bad characters accepts it' },
  373: { we: 'reject', why: 'as 372, in the payload' },
};

function run(file: string, verify: (jws: unknown, key: unknown) => boolean, contradicted: typeof CONTRADICTED = {}) {
  const data = load(file);
  const seen = new Set<number>();
  const wrong: string[] = [];
  const matched = { expected: 0, contradicted: 0 };
  const tally = { valid: 0, invalid: 0, acceptable: 0 };
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      assert.ok(!seen.has(t.tcId), `tcId ${t.tcId} appears once`);
      seen.add(t.tcId);
      tally[t.result]++;
      const accepted = verify(t.jws, keyOf(g));
      // Nothing is cached between calls: the same vector gives the same answer twice.
      assert.equal(verify(t.jws, keyOf(g)), accepted, `tcId ${t.tcId} is deterministic`);
      const decided = contradicted[t.tcId];
      if (decided) {
        if (accepted !== (decided.we === 'accept')) wrong.push(`tcId ${t.tcId}: the recorded decision is to ${decided.we} (${decided.why})`);
        else matched.contradicted++;
      } else if (t.result === 'acceptable') {
        wrong.push(`tcId ${t.tcId}: "acceptable" vectors need a recorded decision`);
      } else if (accepted !== (t.result === 'valid')) {
        wrong.push(`tcId ${t.tcId} (${g.comment}/${t.comment}): expected ${t.result}, got ${accepted ? 'accepted' : 'rejected'}`);
      } else {
        matched.expected++;
      }
    }
  }
  return { count: seen.size, total: data.numberOfTests, wrong, tally, matched };
}

test('Wycheproof JSON Web Signature: all 401 vectors run; 395 give the file\'s result, 6 self-contradictory ones the recorded one', () => {
  const r = run('json_web_signature_test.json', (jws, key) => verifyJwsWithJwk(jws, key, OPTS).ok, CONTRADICTED);
  assert.equal(r.total, 401, 'the file declares 401 vectors');
  assert.equal(r.count, r.total, 'every vector in the file was run');
  assert.deepEqual(r.wrong, []);
  assert.deepEqual(r.matched, { expected: 395, contradicted: 6 });
  // The file mixes both outcomes: a verifier that rejects everything would fail here.
  assert.equal(r.tally.valid, 46);
  assert.equal(r.tally.invalid, 355);
});

test('Wycheproof JSON Web Key (key sets): all 26 vectors give the expected result', () => {
  const r = run('json_web_key_test.json', (jws, keys) => verifyJwsWithJwks(jws, keys, OPTS).ok);
  assert.equal(r.count, r.total);
  assert.equal(r.total, 26);
  assert.deepEqual(r.wrong, []);
  assert.equal(r.tally.valid, 5);
});

test('the valid vectors of every algorithm family are accepted (not just "nothing invalid slipped through")', () => {
  const data = load('json_web_signature_test.json');
  const acceptedAlgs = new Set<string>();
  for (const g of data.testGroups) {
    for (const t of g.tests) {
      if (t.result !== 'valid' || !verifyJwsWithJwk(t.jws, keyOf(g), OPTS).ok) continue;
      const header = JSON.parse(Buffer.from(String(t.jws).split('.')[0]!, 'base64url').toString()) as { alg: string };
      acceptedAlgs.add(header.alg);
    }
  }
  assert.deepEqual([...acceptedAlgs].sort(), ['ES256', 'ES512', 'HS256', 'PS256', 'PS384', 'PS512', 'RS256', 'RS384', 'RS512']);
});

test('without allowSymmetric, every HS* vector is rejected (an OIDC issuer never hands out a secret)', () => {
  const data = load('json_web_signature_test.json');
  let hs = 0;
  for (const g of data.testGroups) {
    if ((g.private as { kty?: string } | undefined)?.kty !== 'oct') continue;
    for (const t of g.tests) {
      hs++;
      assert.equal(verifyJwsWithJwk(t.jws, keyOf(g)).ok, false, `tcId ${t.tcId}`);
    }
  }
  assert.equal(hs, 40);
});

test('each vector recorded as contradicted really is: the file says the opposite elsewhere, or RFC 7515 does', () => {
  const data = load('json_web_signature_test.json');
  const byId = new Map<number, { g: Group; t: Vector }>();
  for (const g of data.testGroups) for (const t of g.tests) byId.set(t.tcId, { g, t });
  const alg = (id: number) => (JSON.parse(Buffer.from(String(byId.get(id)!.t.jws).split('.')[0]!, 'base64url').toString()) as { alg: string }).alg;
  const keyAlg = (id: number) => (byId.get(id)!.g.public as { alg: string }).alg;
  for (const id of [346, 350]) {
    assert.equal(byId.get(id)!.t.result, 'valid');
    assert.notEqual(alg(id), keyAlg(id), 'the header alg differs from the key\'s');
    // Ignoring the key's alg (letting the token choose) would accept it — and also 338/340:
    const loose = verifyJwsWithJwk(byId.get(id)!.t.jws, { ...(byId.get(id)!.g.public as object), alg: alg(id) });
    assert.equal(loose.ok, true);
  }
  for (const id of [338, 340]) {
    const { g, t } = byId.get(id)!;
    assert.equal(t.result, 'invalid');
    assert.ok(t.flags?.includes('WrongPrimitive'));
    assert.notEqual(alg(id), keyAlg(id));
    assert.equal(verifyJwsWithJwk(t.jws, { ...(g.public as object), alg: alg(id) }).ok, true, 'a genuine signature, refused only for the alg mismatch');
  }
  for (const id of [367, 370]) {
    assert.equal(byId.get(id)!.t.result, 'invalid');
    assert.equal(byId.get(id)!.t.jws, byId.get(357)!.t.jws);
    assert.equal(byId.get(357)!.t.result, 'valid');
  }
  for (const id of [372, 373]) {
    assert.equal(byId.get(id)!.t.result, 'valid');
    assert.match(String(byId.get(id)!.t.jws), /\?/);
    assert.doesNotMatch(String(byId.get(id)!.t.jws), /^[A-Za-z0-9_.-]*$/);
  }
});
