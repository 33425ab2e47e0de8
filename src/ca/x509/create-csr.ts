// Builds a PKCS#10 certification request (RFC 2986) signed with the requester's private key:
// what `tessera svid x509` sends, so that the private key never leaves the machine that made it.
import { createPublicKey, type KeyObject } from 'node:crypto';
import { TAG, bitString, constructed, implicit, integer, oid, sequence, setOf } from './der.ts';
import { EMPTY_NAME, encodeName, subjectAltNameUris } from './extensions.ts';
import { OID } from './oids.ts';
import { signerFor } from './signature-algorithm.ts';

export interface CreateCsrInput {
  privateKey: KeyObject;
  /** Subject common name; the server ignores it (the registry decides the identity). */
  commonName?: string | undefined;
  /** URI SANs to request; the server ignores them too. */
  uris?: readonly string[] | undefined;
}

/** Returns the request's DER. */
export function createCsr(input: CreateCsrInput): Buffer {
  const signer = signerFor(input.privateKey);
  const spki = createPublicKey(input.privateKey).export({ type: 'spki', format: 'der' });
  const subject = input.commonName === undefined ? EMPTY_NAME : encodeName([{ type: OID.commonName, value: input.commonName }]);
  const attributes: Buffer[] = [];
  if (input.uris && input.uris.length > 0) {
    // PKCS#9 extensionRequest: Attribute { type, values SET OF Extensions }.
    const san = subjectAltNameUris(input.uris, input.commonName === undefined);
    attributes.push(sequence(oid(OID.extensionRequest), setOf(sequence(san))));
  }
  // attributes [0] IMPLICIT SET OF Attribute: constructed, elements in DER (sorted) order.
  const attrs = implicit(0, Buffer.concat([...attributes].sort(Buffer.compare)), true);
  const info = constructed(TAG.SEQUENCE, [integer(0), subject, spki, attrs]);
  return sequence(info, signer.algorithmDer, bitString(signer.sign(info)));
}
