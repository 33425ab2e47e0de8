// Things that look like credentials but are not: documentation examples, placeholders, template
// references, hashes, UUIDs and lockfile integrity strings. Pure functions over the candidate.

const PLACEHOLDER_WORDS = /example|sample|dummy|placeholder|changeme|change_me|change-me|redacted|your[_-]?|insert|replace|fake|\btodo\b|\bxxx|<[^>]*>|\*\*\*/i;
const SEQUENCES = ['0123456', '1234567', 'abcdefg', 'bcdefgh', 'qwerty'];

/** A documentation example or a fill-me-in value. */
export function isPlaceholder(value: string): boolean {
  if (PLACEHOLDER_WORDS.test(value)) return true;
  // Five of the same character in a row: xxxxx, 00000, aaaaa. Vanishingly rare in random tokens.
  if (/(.)\1{4}/.test(value)) return true;
  const lower = value.toLowerCase();
  return SEQUENCES.some((s) => lower.includes(s));
}

/** A reference to a value kept elsewhere: ${VAR}, {{ x }}, ${{ secrets.X }}, $VAR, %VAR%, <%= %>. */
export function isTemplateRef(value: string): boolean {
  return /\$\{|\{\{|\}\}|\$\(|#\{|<%|%\(|^\$[A-Za-z_]|^%[A-Za-z_]+%$|^process\.env|^os\.environ|^env\./.test(value);
}

/** A hex digest (MD5, SHA-1, SHA-224, SHA-256, SHA-384, SHA-512) or a prefixed digest. */
export function isHashLike(value: string): boolean {
  if (/^[0-9a-f]+$/i.test(value) && [32, 40, 56, 64, 96, 128].includes(value.length)) return true;
  return /^(sha1|sha256|sha384|sha512|md5)[-:]/i.test(value);
}

export function isUuid(value: string): boolean {
  return /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i.test(value);
}

/** Lockfiles and SRI attributes: `"integrity": "sha512-…"`, `integrity="sha384-…"`. */
export function isIntegrityLine(line: string): boolean {
  return /\bintegrity\b\s*["']?\s*[:=]/i.test(line) || /\bsha(256|384|512)-[A-Za-z0-9+/]{40,}={0,2}/.test(line);
}

/** Shannon entropy in bits per character. */
export function shannonEntropy(value: string): number {
  if (value.length === 0) return 0;
  const counts = new Map<string, number>();
  for (const ch of value) counts.set(ch, (counts.get(ch) ?? 0) + 1);
  let bits = 0;
  for (const n of counts.values()) {
    const p = n / value.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** Any of the above for a token-shaped candidate. */
export function isHardNegative(value: string): boolean {
  return isPlaceholder(value) || isTemplateRef(value) || isUuid(value);
}
