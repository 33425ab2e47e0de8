// Reads the parts of a CA certificate that issuing under it needs, byte for byte: the subject
// name (copied verbatim into the issuer field of what it signs, so that chain building matches
// exactly), its public key, its validity and its key identifier.
import { TAG } from './der.ts';
import { children, contentOf, encodingOf, expect, readOid, readTime, readWhole, DerError, type Tlv } from './der-reader.ts';
import { keyIdOf } from './extensions.ts';
import { OID } from './oids.ts';

export interface CertificateParts {
  subjectDer: Buffer;
  issuerDer: Buffer;
  spkiDer: Buffer;
  notBefore: number;
  notAfter: number;
  /** The subjectKeyIdentifier extension's value, or the RFC 5280 method-1 id of the key. */
  subjectKeyId: Buffer;
}

/** Parses a DER certificate's TBSCertificate; throws DerError when it is not one. */
export function readCertificate(der: Buffer): CertificateParts {
  const cert = readWhole(der, TAG.SEQUENCE, 'Certificate');
  const [tbs] = children(der, cert);
  if (!tbs || tbs.tag !== TAG.SEQUENCE) throw new DerError('Certificate: no TBSCertificate');
  const f = children(der, tbs);
  let i = f[0]?.tag === 0xa0 ? 1 : 0; // [0] EXPLICIT version, absent for v1
  const serial = f[i++];
  const sigAlg = f[i++];
  const issuer = f[i++];
  const validity = f[i++];
  const subject = f[i++];
  const spki = f[i++];
  if (!serial || !sigAlg || !issuer || !validity || !subject || !spki) throw new DerError('TBSCertificate: missing fields');
  for (const [t, what] of [[issuer, 'issuer'], [subject, 'subject'], [spki, 'subjectPublicKeyInfo'], [validity, 'validity']] as const) {
    if (t.tag !== TAG.SEQUENCE) throw new DerError(`TBSCertificate: ${what} is not a SEQUENCE`);
  }
  const [nb, na] = children(der, validity);
  if (!nb || !na) throw new DerError('TBSCertificate: validity needs notBefore and notAfter');
  const spkiDer = Buffer.from(encodingOf(der, spki));
  const extensions = f.slice(i).find((t) => t.tag === 0xa3);
  return {
    subjectDer: Buffer.from(encodingOf(der, subject)),
    issuerDer: Buffer.from(encodingOf(der, issuer)),
    spkiDer,
    notBefore: readTime(der, nb),
    notAfter: readTime(der, na),
    subjectKeyId: (extensions && skiOf(der, extensions)) ?? keyIdOf(spkiDer),
  };
}

/** The subjectKeyIdentifier extension's key id, if the certificate has one. */
function skiOf(der: Buffer, extsField: Tlv): Buffer | undefined {
  const list = expect(der, extsField.contentStart, TAG.SEQUENCE, 'extensions', extsField.end);
  for (const ext of children(der, list)) {
    const parts = children(der, ext);
    if (parts[0] && readOid(der, parts[0]) === OID.subjectKeyIdentifier) {
      const value = parts[parts.length - 1]!;
      if (value.tag !== TAG.OCTET_STRING) throw new DerError('subjectKeyIdentifier: extnValue is not an OCTET STRING');
      const inner = expect(der, value.contentStart, TAG.OCTET_STRING, 'subjectKeyIdentifier', value.end);
      return Buffer.from(contentOf(der, inner));
    }
  }
  return undefined;
}
