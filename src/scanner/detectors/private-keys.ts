// PEM and OpenSSH private keys of every kind, including PEM inside JSON strings ("\n" escapes).
import type { Confidence, Detector } from './types.ts';

const PRIVATE_KEY_REVOKE = 'Treat the key pair as compromised: remove the public key everywhere it is trusted and issue a new key pair.';

const OIDS: [string, string][] = [
  ['06032b6570', 'Ed25519'], ['06032b6571', 'Ed448'], ['06032b656e', 'X25519'], ['06032b656f', 'X448'],
  ['06092a864886f70d010101', 'RSA'], ['06092a864886f70d01010a', 'RSA-PSS'], ['06072a8648ce3d0201', 'EC'], ['06072a8648ce380401', 'DSA'],
];

/** The base64 body between the armour lines, without headers, escapes or whitespace; null if it is not one. */
function bodyOf(raw: string, pgp: boolean): string | null {
  const lines = raw.replace(/\\r|\\n/g, '\n').split(/\r?\n/).map((l) => l.trim().replace(/^["'+]+\s*/, '').replace(/["']\s*[,+;]?\s*$/, '').trim());
  const kept = lines.filter((l) => l !== '' && !/^[A-Za-z-]+:/.test(l) && !(pgp && /^=[A-Za-z0-9+/]{4}$/.test(l)));
  const body = kept.join('');
  return /^[A-Za-z0-9+/]+={0,2}$/.test(body) ? body : null;
}

function privateKey(id: string, title: string, label: string): Detector {
  const openssh = label === 'OPENSSH PRIVATE KEY';
  const pgp = label === 'PGP PRIVATE KEY BLOCK';
  return {
    id, title, severity: 'critical', keywords: [`begin ${label.toLowerCase()}`], revocation: PRIVATE_KEY_REVOKE,
    pattern: new RegExp(`-----BEGIN ${label}-----([\\s\\S]{0,16384}?)-----END ${label}-----`, 'g'),
    // "BEGIN …" is five dashes into the match; the body is at most 16 KiB.
    reach: { before: 5, after: 16384 + 2 * label.length + 32 },
    check(match) {
      const raw = match[1] ?? '';
      const body = bodyOf(raw, pgp);
      // The shortest real key, an Ed25519 PKCS#8 body, is 64 characters; "..." or "<key>" never passes.
      if (body === null || body.length < 60 || /(.)\1{7}/.test(body)) return null;
      const der = Buffer.from(body, 'base64');
      const details: Record<string, unknown> = {};
      let confidence: Confidence = 'high';
      if (openssh) {
        if (der.subarray(0, 15).toString('latin1') !== 'openssh-key-v1\0') return null;
        const cipherLength = der.length >= 19 ? der.readUInt32BE(15) : 0;
        const cipher = der.subarray(19, 19 + cipherLength).toString('latin1');
        details.encrypted = cipher !== 'none';
      } else if (!pgp) {
        const legacyEncrypted = /Proc-Type:\s*4,ENCRYPTED/.test(raw);
        // A legacy encrypted body is ciphertext; everything else must be a DER SEQUENCE.
        if (!legacyEncrypted && der[0] !== 0x30) return null;
        const hex = der.subarray(0, 40).toString('hex');
        const algorithm = OIDS.find(([oid]) => hex.includes(oid))?.[1];
        if (algorithm !== undefined && label === 'PRIVATE KEY') details.algorithm = algorithm;
        details.encrypted = label.startsWith('ENCRYPTED') || legacyEncrypted;
      }
      if (details.encrypted === true) confidence = 'medium';
      return { secret: body, confidence, details };
    },
  };
}

export const PRIVATE_KEY_DETECTORS: Detector[] = [
  privateKey('private-key-rsa', 'RSA private key (PKCS#1)', 'RSA PRIVATE KEY'),
  privateKey('private-key-ec', 'EC private key (SEC 1)', 'EC PRIVATE KEY'),
  privateKey('private-key-dsa', 'DSA private key', 'DSA PRIVATE KEY'),
  privateKey('private-key-pkcs8', 'Private key (PKCS#8)', 'PRIVATE KEY'),
  privateKey('private-key-pkcs8-encrypted', 'Encrypted private key (PKCS#8)', 'ENCRYPTED PRIVATE KEY'),
  privateKey('private-key-openssh', 'OpenSSH private key', 'OPENSSH PRIVATE KEY'),
  privateKey('private-key-pgp', 'PGP private key block', 'PGP PRIVATE KEY BLOCK'),
];
