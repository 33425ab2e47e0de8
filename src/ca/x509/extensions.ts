// Encoders for the X.509 v3 extensions Tessera puts in certificates (RFC 5280 §4.2), and for
// the names and key identifiers they refer to.
import { hash } from 'node:crypto';
import {
  TAG, bitString, boolean, constructed, explicit, implicit, integer, oid, octetString,
  printableString, sequence, setOf, utf8String,
} from './der.ts';
import { children, expect, readOctetAlignedBits, DerError } from './der-reader.ts';
import { OID } from './oids.ts';

/** Extension ::= SEQUENCE { extnID, critical BOOLEAN DEFAULT FALSE, extnValue OCTET STRING } */
export function extension(id: string, critical: boolean, valueDer: Buffer): Buffer {
  // DER omits a BOOLEAN equal to its DEFAULT, so a non-critical extension has no flag at all.
  return critical ? sequence(oid(id), boolean(true), octetString(valueDer)) : sequence(oid(id), octetString(valueDer));
}

/** extensions [3] EXPLICIT SEQUENCE OF Extension, as it sits in a TBSCertificate. */
export function extensionsField(exts: readonly Buffer[]): Buffer {
  return explicit(3, constructed(TAG.SEQUENCE, exts));
}

/** basicConstraints: cA (omitted when false, the DEFAULT) and an optional pathLenConstraint. */
export function basicConstraints(ca: boolean, pathLen?: number): Buffer {
  const parts: Buffer[] = [];
  if (ca) parts.push(boolean(true));
  if (ca && pathLen !== undefined) parts.push(integer(pathLen));
  return extension(OID.basicConstraints, true, sequence(...parts));
}

export const KEY_USAGE = {
  digitalSignature: 0, nonRepudiation: 1, keyEncipherment: 2, dataEncipherment: 3,
  keyAgreement: 4, keyCertSign: 5, cRLSign: 6,
} as const;
export type KeyUsageName = keyof typeof KEY_USAGE;

/** keyUsage (always critical here): a named BIT STRING with its trailing zero bits removed, as DER requires. */
export function keyUsage(names: readonly KeyUsageName[]): Buffer {
  if (names.length === 0) throw new RangeError('keyUsage needs at least one bit');
  const bits = names.map((n) => KEY_USAGE[n]);
  const highest = Math.max(...bits);
  const bytes = Buffer.alloc((highest >> 3) + 1);
  for (const b of bits) bytes[b >> 3]! |= 0x80 >> (b & 7);
  return extension(OID.keyUsage, true, bitString(bytes, 7 - (highest & 7)));
}

export function extKeyUsage(purposes: readonly string[]): Buffer {
  return extension(OID.extKeyUsage, false, sequence(...purposes.map(oid)));
}

export function subjectKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.subjectKeyIdentifier, false, octetString(keyId));
}

/** authorityKeyIdentifier with keyIdentifier [0] only (RFC 5280 §4.2.1.1). */
export function authorityKeyIdentifier(keyId: Buffer): Buffer {
  return extension(OID.authorityKeyIdentifier, false, sequence(implicit(0, keyId)));
}

/** subjectAltName with URIs ([6] IMPLICIT IA5String). Critical when the subject is empty (RFC 5280 §4.2.1.6). */
export function subjectAltNameUris(uris: readonly string[], critical: boolean): Buffer {
  return subjectAltName({ uris }, critical);
}

/** subjectAltName with URIs first, then DNS names ([2] IMPLICIT IA5String), in the order given. */
export function subjectAltName(names: { uris: readonly string[]; dnsNames?: readonly string[] }, critical: boolean): Buffer {
  return extension(OID.subjectAltName, critical, sequence(...names.uris.map(uriName), ...(names.dnsNames ?? []).map(dnsName)));
}

/** GeneralName dNSName: [2] IMPLICIT IA5String (ASCII only; the caller checks it is a host name). */
function dnsName(name: string): Buffer {
  if (!/^[\x21-\x7e]+$/.test(name)) throw new RangeError('a DNS SAN must be non-empty printable ASCII');
  return implicit(2, Buffer.from(name, 'latin1'));
}

/** GeneralName uniformResourceIdentifier: [6] IMPLICIT IA5String (ASCII only). */
function uriName(uri: string): Buffer {
  if (!/^[\x21-\x7e]+$/.test(uri)) throw new RangeError('a URI SAN must be non-empty printable ASCII');
  return implicit(6, Buffer.from(uri, 'latin1'));
}

/** A distinguished name from (type OID, value) pairs, one attribute per RDN, in order. */
export function encodeName(attrs: readonly { type: string; value: string; printable?: boolean }[]): Buffer {
  return sequence(...attrs.map((a) => setOf(sequence(oid(a.type), a.printable ? printableString(a.value) : utf8String(a.value)))));
}

/** The empty name (an empty SEQUENCE): an X509-SVID's identity is in its SAN. */
export const EMPTY_NAME: Buffer = sequence();

/**
 * The key identifier of a SubjectPublicKeyInfo: SHA-1 of the subjectPublicKey bits, RFC 5280
 * §4.2.1.2 method (1). SHA-1 here is an identifier, not a security function.
 */
export function keyIdOf(spkiDer: Buffer): Buffer {
  const spki = expect(spkiDer, 0, TAG.SEQUENCE, 'SubjectPublicKeyInfo');
  const [alg, bits] = children(spkiDer, spki);
  if (!alg || !bits || alg.tag !== TAG.SEQUENCE) throw new DerError('SubjectPublicKeyInfo: expected algorithm and key');
  return hash('sha1', readOctetAlignedBits(spkiDer, bits, 'subjectPublicKey'), 'buffer');
}
