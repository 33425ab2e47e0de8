// What every certificate Tessera signs shares: the v3 marker, random serial numbers, and the
// final Certificate wrapper around a signed TBSCertificate.
import { randomBytes } from 'node:crypto';
import { TAG, constructed, encodeLength, explicit, integer } from './der.ts';
import type { CertSigner } from './signature-algorithm.ts';

/** version [0] EXPLICIT INTEGER 2 (v3): the extensions need it. */
export const VERSION_V3: Buffer = explicit(0, integer(2));

export interface Serial {
  /** The INTEGER encoding, ready for the TBSCertificate. */
  der: Buffer;
  /** 32 lowercase hex digits: the 128-bit value, zero-padded. */
  hex: string;
}

// Random octets are drawn 4 KiB at a time: one CSPRNG call serves 256 serials. Each refill is a
// new buffer, so octets already handed out are never overwritten.
const POOL_SIZE = 4096;
let pool = Buffer.alloc(0);
let poolAt = 0;

/** 16 fresh random octets, never all zero (a serial must be positive). */
export function randomSerialOctets(): Buffer {
  for (;;) {
    if (poolAt + 16 > pool.length) { pool = randomBytes(POOL_SIZE); poolAt = 0; }
    const octets = pool.subarray(poolAt, poolAt + 16);
    poolAt += 16;
    // Zero has odds of 2^-128, but ruling it out costs nothing.
    for (const b of octets) if (b !== 0) return octets;
  }
}

/**
 * A serial number of 128 random bits (RFC 5280 allows up to 20 octets; CA/B Forum rules ask for
 * at least 64 bits of randomness so that serials cannot be predicted). Encoded as a positive
 * INTEGER: a leading zero octet is added when the top bit is set.
 */
export function randomSerial(): Serial {
  const octets = randomSerialOctets();
  return { der: integer(octets), hex: octets.toString('hex') };
}

/** Certificate ::= SEQUENCE { tbsCertificate, signatureAlgorithm, signatureValue BIT STRING } */
export function signCertificate(tbs: Buffer, signer: CertSigner): Buffer {
  const sig = signer.sign(tbs);
  // The BIT STRING's header and its "0 unused bits" octet, so the signature is copied only once.
  const bitsHeader = Buffer.concat([encodeLength(sig.length + 1), Buffer.from([0])]);
  return constructed(TAG.SEQUENCE, [tbs, signer.algorithmDer, Buffer.from([TAG.BIT_STRING]), bitsHeader, sig]);
}

/** DER → PEM, 64 characters per line (RFC 7468). */
export function toPem(der: Buffer, label = 'CERTIFICATE'): string {
  const b64 = der.toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}
