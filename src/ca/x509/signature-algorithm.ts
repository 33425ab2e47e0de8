// The X.509 signature algorithm that goes with a private key, and signing with it through
// node:crypto. A CA key of Tessera's own is P-256; an operator's root (which signs our
// intermediate) may be any common type, so P-384, P-521, RSA and Ed25519 sign too.
import { sign, type KeyObject } from 'node:crypto';
import { NULL, oid, sequence } from './der.ts';
import { OID } from './oids.ts';

export interface CertSigner {
  /** AlgorithmIdentifier DER, for TBSCertificate.signature and Certificate.signatureAlgorithm. */
  algorithmDer: Buffer;
  /** Signs the DER to be signed; ECDSA signatures come out DER-encoded, as X.509 wants them. */
  sign(data: Buffer): Buffer;
}

const EC_HASH: Record<string, { hash: string; alg: string }> = {
  prime256v1: { hash: 'sha256', alg: OID.ecdsaWithSha256 },
  secp384r1: { hash: 'sha384', alg: OID.ecdsaWithSha384 },
  secp521r1: { hash: 'sha512', alg: OID.ecdsaWithSha512 },
};

/** The signer for a private key; throws for key types no certificate here is signed with. */
export function signerFor(privateKey: KeyObject): CertSigner {
  if (privateKey.type !== 'private') throw new TypeError('a certificate is signed with a private key');
  const type = privateKey.asymmetricKeyType;
  if (type === 'ec') {
    const curve = privateKey.asymmetricKeyDetails?.namedCurve ?? '';
    const ec = EC_HASH[curve];
    if (!ec) throw new TypeError(`EC curve ${curve} cannot sign certificates here (P-256, P-384 or P-521)`);
    // RFC 5758 §3.2: the ecdsa-with-SHA* identifiers have absent parameters.
    const algorithmDer = sequence(oid(ec.alg));
    const opts = { key: privateKey, dsaEncoding: 'der' } as const;
    return { algorithmDer, sign: (data) => sign(ec.hash, data, opts) };
  }
  if (type === 'rsa') {
    // RFC 4055 §5: sha256WithRSAEncryption has NULL parameters.
    const algorithmDer = sequence(oid(OID.sha256WithRsa), NULL);
    return { algorithmDer, sign: (data) => sign('sha256', data, privateKey) };
  }
  if (type === 'ed25519') {
    // RFC 8410 §3: parameters absent.
    return { algorithmDer: sequence(oid(OID.ed25519)), sign: (data) => sign(null, data, privateKey) };
  }
  throw new TypeError(`${type} keys cannot sign certificates here (EC, RSA or Ed25519)`);
}
