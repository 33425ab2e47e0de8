// Strict base64url (RFC 4648 §5, no padding), as JWS compact serialisation requires. Lenient
// decoders accept several spellings of the same bytes; refusing all but the canonical one keeps
// a token from having more than one valid encoding.

const ALPHABET = /^[A-Za-z0-9_-]*$/;

export function b64u(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

/** Decodes canonical unpadded base64url; undefined for anything else. */
export function b64uDecode(text: string): Buffer | undefined {
  if (!ALPHABET.test(text) || text.length % 4 === 1) return undefined;
  const bytes = Buffer.from(text, 'base64url');
  return bytes.toString('base64url') === text ? bytes : undefined;
}
