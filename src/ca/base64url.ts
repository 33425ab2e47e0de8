// Strict base64url (RFC 4648 §5, no padding), as JWS compact serialisation requires. Lenient
// decoders accept several spellings of the same bytes; refusing all but the canonical one keeps
// a token from having more than one valid encoding.

const ALPHABET = /^[A-Za-z0-9_-]*$/;
const CHARS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';
const VALUE = new Uint8Array(128);
for (let i = 0; i < CHARS.length; i++) VALUE[CHARS.charCodeAt(i)] = i;

export function b64u(data: Uint8Array | string): string {
  return Buffer.from(data).toString('base64url');
}

/**
 * Decodes canonical unpadded base64url; undefined for anything else. Canonical means the bits a
 * final partial group leaves over are zero (RFC 4648 §3.5): checked on the last character rather
 * than by re-encoding, since this runs for every part of every token verified.
 */
export function b64uDecode(text: string): Buffer | undefined {
  const rem = text.length % 4;
  if (rem === 1 || !ALPHABET.test(text)) return undefined;
  if (rem !== 0) {
    const last = VALUE[text.charCodeAt(text.length - 1)]!;
    // 2 characters carry 12 bits for 1 byte (4 spare), 3 carry 18 for 2 bytes (2 spare).
    if ((last & (rem === 2 ? 0x0f : 0x03)) !== 0) return undefined;
  }
  return Buffer.from(text, 'base64url');
}
