// Reads a PKCS#10 certification request (RFC 2986), PEM or DER, and returns only what
// issuance uses: its public key, after checking the key type and size and the request's
// self-signature (proof that the requester holds the private key). The request's subject,
// SANs and other attributes are deliberately ignored: the registry decides the identity.
import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { TesseraError, type ErrorCode } from '../../shared/errors.ts';
import { TAG } from './der.ts';
import { children, contentOf, readOctetAlignedBits, readOid, readWhole, DerError, type Tlv } from './der-reader.ts';
import { OID } from './oids.ts';

/** Largest request accepted, DER bytes (real ones are well under 2 KiB; RSA-8192 about 2.2 KiB). */
export const CSR_MAX_BYTES = 16 * 1024;
/** Largest PEM text accepted: the DER limit in base64 plus room for headers and line breaks. */
export const CSR_MAX_PEM_CHARS = 24 * 1024;
export const RSA_MIN_BITS = 2048;
export const RSA_MAX_BITS = 8192;

export type CsrKeyType = 'ec-p256' | 'ec-p384' | 'ed25519' | 'rsa';

export interface ParsedCsr {
  publicKey: KeyObject;
  /** The key re-encoded by node:crypto (canonical SubjectPublicKeyInfo DER). */
  spkiDer: Buffer;
  keyType: CsrKeyType;
}

const fail = (code: ErrorCode, field: string, rule: string) => new TesseraError(code, `${field}: ${rule}`, { field, rule });

const PEM = /-----BEGIN (NEW )?CERTIFICATE REQUEST-----([\s\S]*?)-----END (NEW )?CERTIFICATE REQUEST-----/g;

function pemToDer(text: string, field: string): Buffer {
  const blocks = [...text.matchAll(PEM)];
  if (blocks.length === 0) throw fail('ERR_INVALID_CSR', field, 'must be a PEM certificate request (-----BEGIN CERTIFICATE REQUEST-----) or DER');
  if (blocks.length > 1) throw fail('ERR_INVALID_CSR', field, 'must hold exactly one certificate request');
  const b64 = blocks[0]![2]!.replace(/\s+/g, '');
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(b64) || b64.length % 4 !== 0 || b64.length === 0) {
    throw fail('ERR_INVALID_CSR', field, 'PEM body is not valid base64');
  }
  return Buffer.from(b64, 'base64');
}

/** Walks every element so that malformed content anywhere is refused, not just at the top. */
function checkWellFormed(der: Buffer, t: Tlv, depth: number): void {
  if (depth > 32) throw new DerError('nesting is too deep');
  if ((t.tag & 0x20) === 0) return;
  for (const c of children(der, t)) checkWellFormed(der, c, depth + 1);
}

interface SigAlg { hash: string | null; key: 'ec' | 'rsa' | 'ed25519' }

const SIG_ALGS: Record<string, SigAlg> = {
  [OID.ecdsaWithSha256]: { hash: 'sha256', key: 'ec' },
  [OID.ecdsaWithSha384]: { hash: 'sha384', key: 'ec' },
  [OID.ecdsaWithSha512]: { hash: 'sha512', key: 'ec' },
  [OID.sha256WithRsa]: { hash: 'sha256', key: 'rsa' },
  [OID.sha384WithRsa]: { hash: 'sha384', key: 'rsa' },
  [OID.sha512WithRsa]: { hash: 'sha512', key: 'rsa' },
  [OID.ed25519]: { hash: null, key: 'ed25519' },
};

const ACCEPTED = 'accepted keys are EC P-256, EC P-384, Ed25519 and RSA of 2048 to 8192 bits';

/** The key's type from its SubjectPublicKeyInfo, refusing weak or unknown ones with a precise rule. */
function keyTypeOf(der: Buffer, spki: Tlv, field: string): { type: CsrKeyType; publicKey: KeyObject } {
  const [alg] = children(der, spki);
  if (!alg || alg.tag !== TAG.SEQUENCE) throw new DerError('subjectPKInfo has no algorithm');
  const [algOid, params] = children(der, alg);
  if (!algOid) throw new DerError('subjectPKInfo algorithm has no OID');
  const keyOid = readOid(der, algOid);
  let type: CsrKeyType;
  if (keyOid === OID.ecPublicKey) {
    const curve = params?.tag === TAG.OID ? readOid(der, params) : 'explicit parameters';
    if (curve === OID.prime256v1) type = 'ec-p256';
    else if (curve === OID.secp384r1) type = 'ec-p384';
    else if (curve === OID.prime192v1) throw fail('ERR_UNSUPPORTED_KEY', field, `EC P-192 keys are too weak; ${ACCEPTED}`);
    else throw fail('ERR_UNSUPPORTED_KEY', field, `EC curve ${curve} is not accepted; ${ACCEPTED}`);
  } else if (keyOid === OID.rsaEncryption) {
    type = 'rsa';
  } else if (keyOid === OID.ed25519) {
    type = 'ed25519';
  } else {
    const name = keyOid === OID.rsassaPss ? 'RSASSA-PSS' : keyOid === OID.ed448 ? 'Ed448' : keyOid;
    throw fail('ERR_UNSUPPORTED_KEY', field, `key type ${name} is not accepted; ${ACCEPTED}`);
  }
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey({ key: Buffer.from(der.subarray(spki.start, spki.end)), format: 'der', type: 'spki' });
  } catch {
    throw fail('ERR_INVALID_CSR', field, 'the public key is malformed');
  }
  if (type === 'rsa') {
    const bits = publicKey.asymmetricKeyDetails?.modulusLength ?? 0;
    if (bits < RSA_MIN_BITS) throw fail('ERR_UNSUPPORTED_KEY', field, `RSA keys must have at least ${RSA_MIN_BITS} bits, this one has ${bits}`);
    if (bits > RSA_MAX_BITS) throw fail('ERR_UNSUPPORTED_KEY', field, `RSA keys may have at most ${RSA_MAX_BITS} bits, this one has ${bits}`);
  }
  return { type, publicKey };
}

/**
 * The key as the certificate will carry it. The request's own encoding is kept when it is
 * already the canonical one (re-encoding costs more than the rest of issuance); otherwise (an
 * EC point in compressed form, which some TLS stacks cannot read, or RSA) node:crypto re-encodes it.
 */
function canonicalSpki(der: Buffer, spki: Tlv, type: CsrKeyType, publicKey: KeyObject): Buffer {
  const [alg, bits] = children(der, spki);
  const algParts = children(der, alg!);
  const key = readOctetAlignedBits(der, bits!, 'subjectPublicKey');
  const canonical = (type === 'ec-p256' && key.length === 65 && key[0] === 0x04)
    || (type === 'ec-p384' && key.length === 97 && key[0] === 0x04)
    || (type === 'ed25519' && key.length === 32 && algParts.length === 1);
  if (canonical) return Buffer.from(der.subarray(spki.start, spki.end));
  // node:crypto keeps an EC key's point form when it re-exports it; a JWK round trip does not.
  const normal = type === 'rsa' ? publicKey : createPublicKey({ key: publicKey.export({ format: 'jwk' }), format: 'jwk' });
  return normal.export({ type: 'spki', format: 'der' });
}

/**
 * Parses and checks a certification request. Throws ERR_INVALID_CSR (not a request, malformed,
 * oversized, bad signature) or ERR_UNSUPPORTED_KEY (weak or unknown key), naming `field`.
 */
export function parseCsr(input: unknown, field = 'csr'): ParsedCsr {
  let der: Buffer;
  if (typeof input === 'string') {
    if (input.length > CSR_MAX_PEM_CHARS) throw fail('ERR_INVALID_CSR', field, `must be at most ${CSR_MAX_PEM_CHARS} characters of PEM`);
    der = pemToDer(input, field);
  } else if (Buffer.isBuffer(input)) {
    // PEM read from a file arrives as bytes too.
    if (input.subarray(0, 11).toString('latin1') === '-----BEGIN ') return parseCsr(input.toString('latin1'), field);
    der = input;
  } else {
    throw fail('ERR_INVALID_CSR', field, 'must be a PEM certificate request');
  }
  if (der.length > CSR_MAX_BYTES) throw fail('ERR_INVALID_CSR', field, `must be at most ${CSR_MAX_BYTES} bytes of DER`);
  if (der.length === 0) throw fail('ERR_INVALID_CSR', field, 'is empty');
  try {
    return parseDer(der, field);
  } catch (e) {
    if (e instanceof DerError) throw fail('ERR_INVALID_CSR', field, `is not a well-formed DER certificate request: ${e.message}`);
    throw e;
  }
}

function parseDer(der: Buffer, field: string): ParsedCsr {
  const req = readWhole(der, TAG.SEQUENCE, 'CertificationRequest');
  checkWellFormed(der, req, 0);
  const parts = children(der, req);
  if (parts.length !== 3) throw new DerError('CertificationRequest must have info, signatureAlgorithm and signature');
  const [info, sigAlgT, sigT] = parts as [Tlv, Tlv, Tlv];
  if (info.tag !== TAG.SEQUENCE || sigAlgT.tag !== TAG.SEQUENCE) throw new DerError('CertificationRequest fields have the wrong types');
  const fields = children(der, info);
  if (fields.length !== 4) throw new DerError('CertificationRequestInfo must have version, subject, subjectPKInfo and attributes');
  const [version, subject, spki, attributes] = fields as [Tlv, Tlv, Tlv, Tlv];
  if (version.tag !== TAG.INTEGER || contentOf(der, version).length !== 1 || der[version.contentStart] !== 0) {
    throw new DerError('CertificationRequestInfo version must be 0 (v1)');
  }
  if (subject.tag !== TAG.SEQUENCE || spki.tag !== TAG.SEQUENCE || attributes.tag !== 0xa0) {
    throw new DerError('CertificationRequestInfo fields have the wrong types');
  }

  const { type, publicKey } = keyTypeOf(der, spki, field);

  const [sigOidT, sigParams] = children(der, sigAlgT);
  if (!sigOidT) throw new DerError('signatureAlgorithm has no OID');
  const sigOid = readOid(der, sigOidT);
  if (sigOid === OID.sha1WithRsa || sigOid === OID.ecdsaWithSha1) throw fail('ERR_INVALID_CSR', field, 'SHA-1 signatures are not accepted');
  const alg = SIG_ALGS[sigOid];
  if (!alg) throw fail('ERR_INVALID_CSR', field, `signature algorithm ${sigOid} is not accepted`);
  // RSA PKCS#1 v1.5 identifiers carry NULL (or, from some producers, nothing); the others nothing.
  const paramsOk = sigParams === undefined || (alg.key === 'rsa' && sigParams.tag === TAG.NULL && sigParams.end === sigParams.contentStart);
  if (!paramsOk || children(der, sigAlgT).length > 2) throw new DerError('signatureAlgorithm has unexpected parameters');
  const keyKind = type === 'rsa' ? 'rsa' : type === 'ed25519' ? 'ed25519' : 'ec';
  if (alg.key !== keyKind) throw fail('ERR_INVALID_CSR', field, `signature algorithm ${sigOid} does not match the ${type} key`);

  const signature = readOctetAlignedBits(der, sigT, 'signature');
  const signed = der.subarray(info.start, info.end);
  let ok = false;
  try {
    ok = verify(alg.hash, signed, keyKind === 'ec' ? { key: publicKey, dsaEncoding: 'der' } : publicKey, signature);
  } catch {
    ok = false;
  }
  if (!ok) throw fail('ERR_INVALID_CSR', field, 'signature does not verify: the request was not signed by the private key of the public key it carries');
  return { publicKey, spkiDer: canonicalSpki(der, spki, type, publicKey), keyType: type };
}
