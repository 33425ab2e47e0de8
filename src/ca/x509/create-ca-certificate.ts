// Creates the certificate of a trust domain's X.509 CA: a self-signed root, or an intermediate
// signed by an operator-supplied root (issuer name and authority key id taken from that root).
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { TesseraError, invalid } from '../../shared/errors.ts';
import { checkTrustDomain } from '../../shared/spiffe-id.ts';
import { sequence, x509Time } from './der.ts';
import { DerError } from './der-reader.ts';
import {
  authorityKeyIdentifier, basicConstraints, encodeName, extensionsField, keyIdOf, keyUsage,
  subjectAltNameUris, subjectKeyIdentifier,
} from './extensions.ts';
import { OID } from './oids.ts';
import { readCertificate } from './read-certificate.ts';
import { signerFor } from './signature-algorithm.ts';
import { VERSION_V3, randomSerial, signCertificate } from './certificate.ts';

export interface CreateCaCertificateInput {
  trustDomain: string;
  /** The CA's public key (the certificate's subject key). */
  subjectPublicKey: KeyObject;
  /** The CA's own private key for a self-signed root; the operator root's private key for an intermediate. */
  signingKey: KeyObject;
  /** The operator root's certificate (DER): given, the result is an intermediate under it. */
  issuerCertDer?: Buffer | undefined;
  /** epoch ms; rounded down to the second. Moved up to the issuer's notBefore if earlier. */
  notBefore: number;
  /** epoch ms; rounded down to the second. Must not be after the issuer's notAfter. */
  notAfter: number;
}

/** ub-common-name and ub-organizational-unit-name (RFC 5280 appendix A). */
const NAME_MAX = 64;

const sameKey = (a: KeyObject, b: KeyObject) =>
  a.export({ type: 'spki', format: 'der' }).equals(b.export({ type: 'spki', format: 'der' }));

const badIssuer = (rule: string) => new TesseraError('ERR_CONFIG', `issuerCert: ${rule}`, { field: 'issuerCert', rule });

/**
 * Returns the CA certificate (DER). It has basicConstraints CA:true (critical; pathLen 0 for an
 * intermediate, which only ever signs X509-SVIDs), keyUsage keyCertSign + cRLSign (critical),
 * subject and authority key identifiers, and the trust domain's SPIFFE ID as its URI SAN (the
 * X509-SVID standard allows it on signing certificates). Subject: O=Tessera, OU=<trust domain>,
 * CN=Tessera CA <key id>: the key id keeps successive CAs' names distinct across rotations.
 */
export function createCaCertificate(input: CreateCaCertificateInput): Buffer {
  checkTrustDomain(input.trustDomain, 'trustDomain');
  if (input.subjectPublicKey.type !== 'public') throw invalid('subjectPublicKey', 'must be a public key');
  if (input.signingKey.type !== 'private') throw invalid('signingKey', 'must be a private key');
  if (!Number.isFinite(input.notBefore) || !Number.isFinite(input.notAfter)) throw invalid('notBefore', 'notBefore and notAfter must be epoch ms');
  let notBefore = Math.floor(input.notBefore / 1000) * 1000;
  const notAfter = Math.floor(input.notAfter / 1000) * 1000;

  const spkiDer = input.subjectPublicKey.export({ type: 'spki', format: 'der' });
  const keyId = keyIdOf(spkiDer);
  let issuerName: Buffer;
  let authorityKeyId: Buffer;
  if (input.issuerCertDer === undefined) {
    if (!sameKey(input.subjectPublicKey, createPublicKey(input.signingKey))) {
      throw invalid('signingKey', 'a self-signed CA certificate is signed by the CA\'s own key: it must match subjectPublicKey');
    }
    authorityKeyId = keyId;
    issuerName = Buffer.alloc(0); // filled with the subject below
  } else {
    let issuer: ReturnType<typeof readCertificate>;
    let x509: X509Certificate;
    try {
      issuer = readCertificate(input.issuerCertDer);
      x509 = new X509Certificate(input.issuerCertDer);
    } catch (e) {
      throw badIssuer(`must be a DER X.509 certificate${e instanceof DerError ? ` (${e.message})` : ''}`);
    }
    if (!x509.ca) throw badIssuer('is not a CA certificate (basicConstraints CA:true is missing)');
    if (!sameKey(x509.publicKey, createPublicKey(input.signingKey))) throw badIssuer('its public key does not match signingKey');
    if (notAfter > issuer.notAfter) {
      // A CA outliving its issuer would sign SVIDs that stop verifying when the root expires,
      // while Tessera believes it has time left: the operator must renew the root first.
      throw invalid('notAfter', `must not be after the issuer certificate's notAfter (${new Date(issuer.notAfter).toISOString()})`);
    }
    notBefore = Math.max(notBefore, issuer.notBefore);
    issuerName = issuer.subjectDer;
    authorityKeyId = issuer.subjectKeyId;
  }
  if (notAfter <= notBefore) throw invalid('notAfter', 'must be after notBefore');

  const td = input.trustDomain;
  const subject = encodeName([
    { type: OID.organizationName, value: 'Tessera' },
    ...(td.length <= NAME_MAX ? [{ type: OID.organizationalUnitName, value: td }] : []),
    { type: OID.commonName, value: `Tessera CA ${keyId.subarray(0, 4).toString('hex')}` },
  ]);
  if (input.issuerCertDer === undefined) issuerName = subject;

  let signer: ReturnType<typeof signerFor>;
  try {
    signer = signerFor(input.signingKey);
  } catch (e) {
    throw invalid('signingKey', (e as Error).message, input.issuerCertDer === undefined ? 'ERR_INVALID_INPUT' : 'ERR_CONFIG');
  }
  const tbs = sequence(
    VERSION_V3,
    randomSerial().der,
    signer.algorithmDer,
    issuerName,
    sequence(x509Time(notBefore), x509Time(notAfter)),
    subject,
    spkiDer,
    extensionsField([
      basicConstraints(true, input.issuerCertDer === undefined ? undefined : 0),
      keyUsage(['keyCertSign', 'cRLSign']),
      subjectKeyIdentifier(keyId),
      authorityKeyIdentifier(authorityKeyId),
      subjectAltNameUris([`spiffe://${td}`], false),
    ]),
  );
  return signCertificate(tbs, signer);
}
