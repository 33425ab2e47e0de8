import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { DETECTORS, decodeJwt, scanText, scanWith } from '../../../src/scanner/detectors/index.ts';
import type { Detector } from '../../../src/scanner/detectors/index.ts';
import { hasValidCrc32Base62 } from '../../../src/scanner/detectors/checksum.ts';
import { isHashLike, isIntegrityLine, isPlaceholder, isTemplateRef, isUuid, shannonEntropy } from '../../../src/scanner/detectors/hard-negatives.ts';
import { generateStaticKey } from '../../../src/identity/static-keys/index.ts';
import { b62, b64, b64url, checksummedToken, hex, withBadChecksum } from './planted.ts';

const only = (id: string, text: string) => scanText(text).filter((f) => f.detector === id);

function jwt(header: object, claims: object, signature = b64url(43)): string {
  const enc = (o: object): string => Buffer.from(JSON.stringify(o)).toString('base64url');
  return `${enc(header)}.${enc(claims)}.${signature}`;
}

describe('checksums', () => {
  for (const prefix of ['ghp_', 'gho_', 'ghu_', 'ghs_', 'ghr_', 'npm_']) {
    test(`${prefix} tokens: a valid checksum is high confidence, a wrong one is no finding`, () => {
      const good = checksummedToken(prefix);
      assert.equal(hasValidCrc32Base62(good, prefix), true);
      const found = scanText(`t=${good}`);
      assert.equal(found.length, 1);
      assert.equal(found[0]?.confidence, 'high');
      assert.deepEqual(found[0]?.details, { checksum: 'valid' });
      const bad = withBadChecksum(good);
      assert.equal(hasValidCrc32Base62(bad, prefix), false);
      assert.deepEqual(scanText(`t=${bad}`), []);
    });
  }

  test('a checksum of the wrong length or under the wrong prefix does not pass', () => {
    const t = checksummedToken('ghp_');
    assert.equal(hasValidCrc32Base62(t + 'a', 'ghp_'), false);
    assert.equal(hasValidCrc32Base62(t, 'npm_'), false);
  });

  test('tsk_ keys are confirmed with parseStaticKey: real → high, look-alike → nothing', () => {
    const key = generateStaticKey();
    assert.deepEqual(only('tessera-static-key', key).map((f) => [f.secret, f.confidence]), [[key, 'high']]);
    assert.deepEqual(scanText(withBadChecksum(key)), []);
    assert.deepEqual(scanText(`tsk_${b62(36)}`).filter((f) => f.confidence === 'high'), []);
  });
});

describe('AWS', () => {
  const id = `AKIA${'ABCDEFGHIJKLMNOP'.split('').reverse().join('')}`;
  test('a key id with a secret nearby is high confidence; alone it is medium; ASIA alone is low', () => {
    const secret = `${b64(38)}Z9`;
    assert.equal(only('aws-access-key-id', `${id}\n# comment\nsecret: ${secret}`)[0]?.confidence, 'high');
    assert.deepEqual(only('aws-access-key-id', `key ${id}`)[0]?.details, { secretKeyNearby: false, temporary: false });
    assert.equal(only('aws-access-key-id', `key ${id}`)[0]?.confidence, 'medium');
    assert.equal(only('aws-access-key-id', `key ASIA${id.slice(4)}`)[0]?.confidence, 'low');
  });
  test('a 40-character hex string (a SHA-1) is not taken for the secret key', () => {
    assert.equal(only('aws-access-key-id', `${id} ${hex(40)}`)[0]?.confidence, 'medium');
  });
  test('the documentation example key pair is not reported', () => {
    assert.deepEqual(scanText('AKIAIOSFODNN7EXAMPLE wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY'), []);
  });
});

describe('JWT', () => {
  test('decoded: issuer, subject, audience and expiry in the details', () => {
    const exp = Math.floor(Date.now() / 1000) + 600;
    const t = jwt({ alg: 'RS256', kid: 'key-1' }, { iss: 'https://tessera.acme.io', sub: 'spiffe://acme/ns/a', aud: ['x'], exp });
    const [f] = only('jwt', `x ${t} y`);
    assert.equal(f?.secret, t);
    assert.equal(f?.confidence, 'high');
    assert.deepEqual(f?.details, { algorithm: 'RS256', expired: false, issuer: 'https://tessera.acme.io', subject: 'spiffe://acme/ns/a', audience: ['x'], expiresAt: new Date(exp * 1000).toISOString(), keyId: 'key-1' });
  });
  test('an expired token is medium confidence, an unsigned one low', () => {
    assert.equal(only('jwt', jwt({ alg: 'ES256' }, { iss: 'a', exp: 1000 }))[0]?.confidence, 'medium');
    assert.equal(only('jwt', jwt({ alg: 'ES256' }, { iss: 'a', exp: 1000 }))[0]?.details.expired, true);
    assert.equal(only('jwt', jwt({ alg: 'none' }, { iss: 'a' }, ''))[0]?.confidence, 'low');
  });
  test('not JSON, or no alg: not a JWT', () => {
    assert.equal(decodeJwt('eyJub3Q.eyJqc29u.x'), null);
    assert.deepEqual(scanText(`eyJ${b64url(20)}.eyJ${b64url(20)}.${b64url(20)}`), []);
    assert.deepEqual(scanText(jwt({ typ: 'JWT' }, { iss: 'a' })), []);
  });
  test('a Kubernetes token is reported by the Kubernetes rule only, with its namespace', () => {
    const t = jwt({ alg: 'RS256' }, { iss: 'https://kubernetes.default.svc', 'kubernetes.io': { namespace: 'prod', serviceaccount: { name: 'x' } } });
    const found = scanText(t);
    assert.deepEqual(found.map((f) => f.detector), ['kubernetes-service-account-token']);
    assert.equal(found[0]?.details.namespace, 'prod');
  });
});

describe('private keys', () => {
  test('a short Ed25519 PKCS#8 body is found and its algorithm named', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const [f] = only('private-key-pkcs8', pem);
    assert.deepEqual(f?.details, { algorithm: 'Ed25519', encrypted: false });
    assert.equal(f?.confidence, 'high');
    assert.equal(f?.line, 1);
  });
  test('a PEM inside a JSON string with \\n escapes is found', () => {
    const pem = generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.equal(only('private-key-pkcs8', JSON.stringify({ key: pem }))[0]?.details.algorithm, 'EC');
  });
  test('an encrypted PKCS#1 key (Proc-Type header) is medium confidence', () => {
    const pem = generateKeyPairSync('rsa', { modulusLength: 1024 }).privateKey.export({ type: 'pkcs1', format: 'pem', cipher: 'aes-128-cbc', passphrase: 'x' }).toString();
    const [f] = only('private-key-rsa', pem);
    assert.equal(f?.confidence, 'medium');
    assert.equal(f?.details.encrypted, true);
  });
  test('an OpenSSH key with a cipher is flagged encrypted; a body that is not OpenSSH is no finding', () => {
    const cipher = Buffer.from('aes256-ctr');
    const len = Buffer.alloc(4);
    len.writeUInt32BE(cipher.length);
    const body = Buffer.concat([Buffer.from('openssh-key-v1\0', 'latin1'), len, cipher, randomBytes(200)]).toString('base64');
    assert.deepEqual(only('private-key-openssh', `-----BEGIN OPENSSH PRIVATE KEY-----\n${body}\n-----END OPENSSH PRIVATE KEY-----`)[0]?.details, { encrypted: true });
    assert.deepEqual(scanText(`-----BEGIN OPENSSH PRIVATE KEY-----\n${randomBytes(200).toString('base64')}\n-----END OPENSSH PRIVATE KEY-----`).filter((f) => f.detector === 'private-key-openssh' && f.details.encrypted === undefined), []);
  });
  test('a mismatched END label is not a key', () => {
    const pem = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    assert.deepEqual(scanText(pem.replace('END PRIVATE KEY', 'END PUBLIC KEY')), []);
  });
});

describe('database URIs', () => {
  const pass = b62(18);
  test('a password on a remote host is high confidence, on localhost low; the secret is the password', () => {
    const [remote] = only('database-uri-password', `mysql://app:${pass}@db.acme.io/app`);
    assert.deepEqual([remote?.secret, remote?.confidence, remote?.details], [pass, 'high', { scheme: 'mysql', user: 'app', host: 'db.acme.io' }]);
    assert.equal(only('database-uri-password', `postgresql://app:${pass}@localhost/app`)[0]?.confidence, 'low');
  });
  test('default passwords, placeholders and template references are not reported', () => {
    for (const uri of ['postgres://postgres:postgres@db/x', 'redis://u:${REDIS_PASSWORD}@h', 'mongodb://u:<password>@h', 'amqp://u:****@h', 'mysql://root:root@db.acme.io/x']) {
      assert.deepEqual(scanText(uri), [], uri);
    }
  });
});

describe('generic assignments', () => {
  test('a high-entropy quoted password is reported with its name and entropy', () => {
    const v = `A9#${b62(20)}`;
    const [f] = only('generic-secret-assignment', `  api_secret = "${v}"`);
    assert.equal(f?.secret, v);
    assert.equal(f?.confidence, 'medium');
    assert.equal(f?.details.name, 'api_secret');
    assert.equal(f?.column, 3);
  });
  test('low-entropy, single-class, code and path values are not reported', () => {
    for (const line of ['password = "aaaabbbbcccc"', 'password = "mysecretpassword"', 'token = self.session.token', 'password = readPassword(file)', 'secret = "/etc/app/secret.txt"', 'password: true']) {
      assert.deepEqual(scanText(line), [], line);
    }
  });
  test('a value that a specific rule reports is not reported twice', () => {
    const t = checksummedToken('ghp_');
    assert.deepEqual(scanText(`secret_token = "${t}"`).map((f) => f.detector), ['github-pat-classic']);
  });
  test('kubeconfig token lines are left to the kubeconfig rule', () => {
    const tok = b62(40);
    const found = scanText(`apiVersion: v1\nkind: Config\nusers:\n- name: ci\n  user:\n    token: ${tok}\n`);
    assert.deepEqual(found.map((f) => [f.detector, f.secret, f.line]), [['kubeconfig-credential', tok, 6]]);
  });
});

describe('context rules', () => {
  test('Twilio and legacy Vault shapes need the vendor named nearby', () => {
    const sk = `SK${hex(32)}`;
    assert.deepEqual(scanText(`id ${sk}`), []);
    assert.equal(only('twilio-api-key', `twilio ${sk}`).length, 1);
    const s = `s.${b62(24)}`;
    assert.deepEqual(scanText(`ref ${s}`), []);
    assert.equal(only('vault-legacy-token', `VAULT ${s}`).length, 1);
  });
  test('GitLab tokens say whether they are legacy or routable', () => {
    assert.deepEqual(only('gitlab-pat', `glpat-${b62(20)}`)[0]?.details, { format: 'legacy' });
    assert.deepEqual(only('gitlab-pat', `glpat-${b64url(30)}.01.${hex(9)}`)[0]?.details, { format: 'routable' });
  });
  test('an Azure SAS signature without sv= and se= is not reported', () => {
    assert.deepEqual(scanText(`https://x.example.net/?sig=${b64(43)}`), []);
  });
  test('a connection string whose key is identifiable is reported once, by the identifiable rule', () => {
    const key = `${b64(76)}+ASt${b64(5)}A==`;
    assert.deepEqual(scanText(`AccountName=acme;AccountKey=${key}`).map((f) => f.detector), ['azure-storage-identifiable-key']);
  });
});

describe('scanWith', () => {
  const probe: Detector = {
    id: 'probe', title: 'probe', severity: 'low', keywords: ['zz'], pattern: /zz(\d)/g,
    check: (m) => (m[1] === '0' ? null : { secret: m[0], confidence: 'low' }),
  };
  test('reports 1-based line and column, skips null checks, and needs a keyword', () => {
    assert.deepEqual(scanWith([probe], 'a\r\n  zz1 zz0\nzz2').map((f) => [f.line, f.column, f.secret, f.severity]), [[2, 3, 'zz1', 'low'], [3, 1, 'zz2', 'low']]);
    assert.deepEqual(scanWith([{ ...probe, keywords: ['nope'] }], 'zz1'), []);
  });
  test('every detector yields nothing on empty text and on binary-looking noise', () => {
    assert.deepEqual(scanText(''), []);
    assert.deepEqual(scanText(randomBytes(4096).toString('latin1')).filter((f) => f.confidence === 'high'), []);
  });
  test('DETECTORS can be scanned twice with the same results (no regex state leaks)', () => {
    const t = checksummedToken('npm_');
    assert.deepEqual(scanText(t), scanText(t));
    assert.equal(DETECTORS.every((d) => d.pattern.lastIndex === 0), true);
  });
});

describe('hard-negative helpers', () => {
  test('placeholders', () => {
    for (const v of ['xxxxxxxx', '<your-token>', 'changeme', 'YOUR_API_KEY', 'AKIAIOSFODNN7EXAMPLE', '**********', 'sk_live_00000abc', 'REDACTED', 'abcdefgh1']) assert.equal(isPlaceholder(v), true, v);
    for (const v of [b62(36), 'Kf8#mQ2@vL9$wR4z']) assert.equal(isPlaceholder(v), false, v);
  });
  test('template references', () => {
    for (const v of ['${VAR}', '{{ .Values.x }}', '${{ secrets.X }}', '$TOKEN', '%TOKEN%', '<%= x %>', '#{secret}', '%(pw)s', 'process.env.X']) assert.equal(isTemplateRef(v), true, v);
    assert.equal(isTemplateRef(b62(20)), false);
  });
  test('hashes, UUIDs, integrity lines', () => {
    for (const n of [32, 40, 64, 128]) assert.equal(isHashLike(hex(n)), true);
    assert.equal(isHashLike(hex(36)), false);
    assert.equal(isHashLike('sha256:' + hex(64)), true);
    assert.equal(isUuid('123e4567-e89b-12d3-a456-426614174000'), true);
    assert.equal(isUuid(hex(32)), false);
    assert.equal(isIntegrityLine(`"integrity": "sha512-${b64(86)}=="`), true);
    assert.equal(isIntegrityLine('password = "x"'), false);
  });
  test('entropy is 0 for one repeated character and log2(n) for n distinct ones', () => {
    assert.equal(shannonEntropy(''), 0);
    assert.equal(shannonEntropy('aaaa'), 0);
    assert.equal(shannonEntropy('abcd'), 2);
  });
});

describe('token boundaries', () => {
  test('a token glued inside a longer word is not reported as that token', () => {
    for (const t of [checksummedToken('ghp_'), checksummedToken('npm_'), `AIza${b64url(35)}`, `glpat-${b62(20)}`, `xoxb-123456789012-1234567890123-${b62(24)}`, `sk_live_${b62(24)}`, `dop_v1_${hex(64)}`]) {
      assert.deepEqual(scanText(`Q${t}Q`).filter((f) => f.secret === t), [], t);
    }
  });
});
