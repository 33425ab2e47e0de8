// X509-SVID issuance, the hot path. The TBSCertificate is a template: everything that depends
// only on the CA (issuer name, signature algorithm, the fixed extensions, the authority key id)
// is encoded once per CA and cached by kid; each issuance fills the slots (serial, validity,
// public key, subject key id, the SPIFFE ID) and signs with node:crypto.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import { TesseraError, invalid } from '../../shared/errors.ts';
import { parseSpiffeId } from '../../shared/spiffe-id.ts';
import type { X509Issuer } from '../ca-runtime.ts';
import { EMPTY_NAME, authorityKeyIdentifier, basicConstraints, extKeyUsage, keyIdOf, keyUsage } from './extensions.ts';
import { OID } from './oids.ts';
import { readCertificate } from './read-certificate.ts';
import { signerFor, type CertSigner } from './signature-algorithm.ts';
import { VERSION_V3, randomSerialOctets, signCertificate } from './certificate.ts';
import { writeSvidTbs, type TbsFixed } from './svid-tbs.ts';
import { parseDnsNames } from './dns-names.ts';

/** How far notBefore is backdated, to absorb clock skew between us and relying parties. */
export const BACKDATE_MS = 30_000;

export interface IssuedX509Svid {
  /** The leaf certificate (DER). */
  certDer: Buffer;
  /** Intermediates from the leaf's issuer up to (not including) the root in the bundle; empty under a self-signed root CA. */
  chainDer: Buffer[];
  /** 32 lowercase hex digits. */
  serialHex: string;
  /** epoch ms, whole seconds */
  notBefore: number;
  notAfter: number;
}

/** Everything about a CA that issuance needs, encoded once. */
export interface PreparedIssuer extends TbsFixed {
  readonly kid: string;
  readonly source: X509Issuer;
  readonly signer: CertSigner;
  readonly notBefore: number;
  readonly notAfter: number;
  readonly trustDomain: string | undefined;
  readonly chainDer: Buffer[];
}

// Key usage per SPIFFE X509-SVID §4.3: digitalSignature always; keyEncipherment for RSA keys
// (TLS 1.2 RSA key transport). EC and Ed25519 keys only sign in TLS 1.3 / ECDHE suites, so they
// get nothing more (keyAgreement would allow static ECDH, which nothing here uses).
const KU_SIGN = keyUsage(['digitalSignature']);
const KU_RSA = keyUsage(['digitalSignature', 'keyEncipherment']);
const BC_LEAF = basicConstraints(false);
const EKU = extKeyUsage([OID.serverAuth, OID.clientAuth]);

const CACHE_MAX = 16;
const cache = new Map<string, PreparedIssuer>();

/** Encodes a CA's fixed parts once; cached by kid (a rotation brings a new kid). */
export function prepareIssuer(issuer: X509Issuer): PreparedIssuer {
  const hit = cache.get(issuer.kid);
  // Same kid and same certificate means the same key (the private key is checked against the
  // certificate below), whether or not the runtime hands out the same objects each time.
  if (hit && (hit.source === issuer || hit.source.certDer.equals(issuer.certDer))) return hit;

  const ca = readCertificate(issuer.certDer);
  const x509 = new X509Certificate(issuer.certDer);
  if (!x509.ca) throw new TesseraError('ERR_INTERNAL', `X.509 CA ${issuer.kid}: its certificate is not a CA certificate`);
  if (!createPublicKey(issuer.privateKey).export({ type: 'spki', format: 'der' }).equals(ca.spkiDer)) {
    throw new TesseraError('ERR_INTERNAL', `X.509 CA ${issuer.kid}: the private key does not match the certificate`);
  }
  const signer = signerFor(issuer.privateKey);
  const td = /(?:^|, )URI:spiffe:\/\/([^/,]+)(?:,|$)/.exec(x509.subjectAltName ?? '')?.[1];
  const selfSigned = ca.subjectDer.equals(ca.issuerDer) && x509.verify(x509.publicKey);
  const prepared: PreparedIssuer = {
    kid: issuer.kid,
    source: issuer,
    signer,
    version: VERSION_V3,
    subject: EMPTY_NAME,
    algAndIssuer: Buffer.concat([signer.algorithmDer, ca.subjectDer]),
    // basicConstraints CA:false, EKU serverAuth + clientAuth, AKI: the same in every leaf of this CA.
    fixedExtensions: Buffer.concat([BC_LEAF, EKU, authorityKeyIdentifier(ca.subjectKeyId)]),
    notBefore: ca.notBefore,
    notAfter: Math.min(ca.notAfter, Math.floor(issuer.notAfter / 1000) * 1000),
    trustDomain: td,
    chainDer: selfSigned ? [] : [issuer.certDer, ...issuer.chainDer.filter((c) => !c.equals(issuer.certDer) && !isSelfIssued(c))],
  };
  cache.set(issuer.kid, prepared);
  if (cache.size > CACHE_MAX) cache.delete(cache.keys().next().value!);
  return prepared;
}

/** Roots belong in the bundle, not in the chain a workload presents (it would only add bytes). */
function isSelfIssued(der: Buffer): boolean {
  const c = readCertificate(der);
  return c.subjectDer.equals(c.issuerDer);
}

/** A public key, or one already exported (a parsed CSR gives both, sparing an export per issuance). */
export type SubjectKey = KeyObject | { publicKey: KeyObject; spkiDer: Buffer };

/**
 * Issues an X509-SVID for spiffeId, valid from now − 30 s for ttlSeconds (never past the CA's
 * notAfter). The leaf has an empty subject, exactly one URI SAN (critical, as an empty subject
 * requires), basicConstraints CA:false, keyUsage digitalSignature (+ keyEncipherment for RSA),
 * EKU serverAuth + clientAuth, and subject/authority key identifiers. opts.dnsNames (checked by
 * parseDnsNames: at most 10 lower-case host names, no wildcards) follow the URI in the same SAN,
 * for a serving certificate whose callers check a host name.
 */
export function issueX509Svid(
  issuer: X509Issuer | PreparedIssuer, spiffeId: string, subjectKey: SubjectKey, ttlSeconds: number, now: number,
  opts: { dnsNames?: readonly string[] } = {},
): IssuedX509Svid {
  const ca = 'algAndIssuer' in issuer ? issuer : prepareIssuer(issuer);
  const trustDomain = trustDomainOf(spiffeId);
  if (ca.trustDomain !== undefined && trustDomain !== ca.trustDomain) {
    throw new TesseraError('ERR_TRUST_DOMAIN_MISMATCH', `spiffeId: ${spiffeId} is not in the CA's trust domain ${ca.trustDomain}`, { field: 'spiffeId', rule: 'trust domain' });
  }
  if (!Number.isInteger(ttlSeconds) || ttlSeconds <= 0) throw invalid('ttl', 'must be a positive whole number of seconds');
  // The common case (no DNS names) skips the check entirely.
  const dnsNames = opts.dnsNames === undefined || opts.dnsNames.length === 0 ? undefined : parseDnsNames(opts.dnsNames);
  const notBefore = Math.max(Math.floor((now - BACKDATE_MS) / 1000) * 1000, ca.notBefore);
  const notAfter = Math.min(Math.floor(now / 1000) * 1000 + ttlSeconds * 1000, ca.notAfter);
  if (notAfter <= now) {
    throw new TesseraError('ERR_INTERNAL', `X.509 CA ${ca.kid} has expired (${new Date(ca.notAfter).toISOString()}); it must be rotated before it can issue`);
  }

  const key = 'spkiDer' in subjectKey ? subjectKey : { publicKey: subjectKey, spkiDer: subjectKey.export({ type: 'spki', format: 'der' }) };
  const serial = randomSerialOctets();
  const tbs = writeSvidTbs(ca, {
    serial, notBefore, notAfter, spkiDer: key.spkiDer,
    keyUsage: key.publicKey.asymmetricKeyType === 'rsa' ? KU_RSA : KU_SIGN,
    keyId: keyIdOf(key.spkiDer), uri: spiffeId, dnsNames,
  });
  return { certDer: signCertificate(tbs, ca.signer), chainDer: [...ca.chainDer], serialHex: serial.toString('hex'), notBefore, notAfter };
}

// SPIFFE IDs already validated, with their trust domain: the same few IDs are issued for over
// and over, and the full check (every rule of the standard) need not run each time.
const VALID_IDS_MAX = 10_000;
const validIds = new Map<string, string>();

function trustDomainOf(spiffeId: string): string {
  const known = validIds.get(spiffeId);
  if (known !== undefined) return known;
  const { trustDomain } = parseSpiffeId(spiffeId, 'spiffeId');
  if (validIds.size >= VALID_IDS_MAX) validIds.clear();
  validIds.set(spiffeId, trustDomain);
  return trustDomain;
}
