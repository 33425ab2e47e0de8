// A small DER encoder (ITU-T X.690 distinguished encoding) covering what X.509 certificates and
// PKCS#10 requests need. Every function returns the complete encoding (tag, length, content), so
// structures are built by nesting calls; the issuance hot path pre-encodes the fixed parts once.

const TAG = {
  BOOLEAN: 0x01, INTEGER: 0x02, BIT_STRING: 0x03, OCTET_STRING: 0x04, NULL: 0x05, OID: 0x06,
  UTF8_STRING: 0x0c, PRINTABLE_STRING: 0x13, IA5_STRING: 0x16, UTC_TIME: 0x17, GENERALIZED_TIME: 0x18,
  SEQUENCE: 0x30, SET: 0x31,
} as const;
export { TAG };

/** The length octets: short form below 128, otherwise the minimal long form. */
export function encodeLength(n: number): Buffer {
  if (!Number.isInteger(n) || n < 0) throw new RangeError(`DER length must be a non-negative integer, got ${n}`);
  if (n < 0x80) return Buffer.from([n]);
  const bytes: number[] = [];
  for (let v = n; v > 0; v = Math.floor(v / 256)) bytes.unshift(v & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

/** One TLV from a tag byte and the content octets. Low tag numbers only (all X.509 needs). */
export function tlv(tag: number, content: Buffer): Buffer {
  if ((tag & 0x1f) === 0x1f) throw new RangeError('high tag numbers are not supported');
  const len = encodeLength(content.length);
  const out = Buffer.allocUnsafe(1 + len.length + content.length);
  out[0] = tag;
  len.copy(out, 1);
  content.copy(out, 1 + len.length);
  return out;
}

/** A constructed value whose content is the concatenation of already-encoded items. */
export function constructed(tag: number, items: readonly Buffer[]): Buffer {
  let total = 0;
  for (const i of items) total += i.length;
  const len = encodeLength(total);
  const out = Buffer.allocUnsafe(1 + len.length + total);
  out[0] = tag;
  len.copy(out, 1);
  let at = 1 + len.length;
  for (const i of items) { i.copy(out, at); at += i.length; }
  return out;
}

export function sequence(...items: Buffer[]): Buffer {
  return constructed(TAG.SEQUENCE, items);
}

/** SET OF: DER orders the elements by their encodings (X.690 §11.6). */
export function setOf(...items: Buffer[]): Buffer {
  return constructed(TAG.SET, [...items].sort(Buffer.compare));
}

/**
 * A non-negative INTEGER in its minimal encoding. A Buffer is read as an unsigned big-endian
 * magnitude (serial numbers, RSA moduli): leading zero octets are dropped and one is added back
 * when the top bit is set, so the value stays positive.
 */
export function integer(value: number | bigint | Buffer): Buffer {
  let mag: Buffer;
  if (Buffer.isBuffer(value)) {
    mag = value;
  } else {
    let v = BigInt(value);
    if (v < 0n) throw new RangeError('negative INTEGERs are not supported');
    const bytes: number[] = [];
    do { bytes.unshift(Number(v & 0xffn)); v >>= 8n; } while (v > 0n);
    mag = Buffer.from(bytes);
  }
  if (mag.length === 0) return Buffer.from([TAG.INTEGER, 1, 0]);
  let start = 0;
  while (start < mag.length - 1 && mag[start] === 0) start++;
  const trimmed = mag.subarray(start);
  return tlv(TAG.INTEGER, (trimmed[0]! & 0x80) !== 0 ? Buffer.concat([Buffer.from([0]), trimmed]) : trimmed);
}

const oidCache = new Map<string, Buffer>();

/** An OBJECT IDENTIFIER from its dotted form, e.g. "2.5.29.17". Encodings are cached. */
export function oid(dotted: string): Buffer {
  const hit = oidCache.get(dotted);
  if (hit) return hit;
  if (!/^[0-2](\.(0|[1-9]\d*))+$/.test(dotted)) throw new RangeError(`not an OID: ${dotted}`);
  const arcs = dotted.split('.').map(BigInt);
  const [a, b] = [arcs[0]!, arcs[1]!];
  if (a < 2n && b > 39n) throw new RangeError(`not an OID: ${dotted}`);
  const out: number[] = [];
  for (const arc of [a * 40n + b, ...arcs.slice(2)]) {
    const base128: number[] = [];
    let v = arc;
    do { base128.unshift(Number(v & 0x7fn)); v >>= 7n; } while (v > 0n);
    for (let i = 0; i < base128.length - 1; i++) base128[i]! |= 0x80;
    out.push(...base128);
  }
  const enc = tlv(TAG.OID, Buffer.from(out));
  oidCache.set(dotted, enc);
  return enc;
}

export const NULL: Buffer = Buffer.from([TAG.NULL, 0]);

export function boolean(b: boolean): Buffer {
  return Buffer.from([TAG.BOOLEAN, 1, b ? 0xff : 0x00]);
}

/** A BIT STRING; unusedBits (0–7) are the trailing pad bits of the last octet. */
export function bitString(bytes: Buffer, unusedBits = 0): Buffer {
  if (!Number.isInteger(unusedBits) || unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) {
    throw new RangeError('bad BIT STRING padding');
  }
  return tlv(TAG.BIT_STRING, Buffer.concat([Buffer.from([unusedBits]), bytes]));
}

export function octetString(bytes: Buffer): Buffer {
  return tlv(TAG.OCTET_STRING, bytes);
}

export function utf8String(s: string): Buffer {
  return tlv(TAG.UTF8_STRING, Buffer.from(s, 'utf8'));
}

const PRINTABLE = /^[A-Za-z0-9 '()+,\-./:=?]*$/;

export function printableString(s: string): Buffer {
  if (!PRINTABLE.test(s)) throw new RangeError(`not a PrintableString: ${JSON.stringify(s)}`);
  return tlv(TAG.PRINTABLE_STRING, Buffer.from(s, 'latin1'));
}

export function ia5String(s: string): Buffer {
  if (!/^[\x00-\x7f]*$/.test(s)) throw new RangeError('not an IA5String: only ASCII is allowed');
  return tlv(TAG.IA5_STRING, Buffer.from(s, 'latin1'));
}

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

function timeDigits(ms: number): { year: number; rest: string } {
  if (!Number.isFinite(ms)) throw new RangeError('time must be a finite epoch ms value');
  const d = new Date(ms);
  const year = d.getUTCFullYear();
  if (year < 0 || year > 9999) throw new RangeError(`year ${year} cannot be encoded`);
  return { year, rest: `${pad(d.getUTCMonth() + 1)}${pad(d.getUTCDate())}${pad(d.getUTCHours())}${pad(d.getUTCMinutes())}${pad(d.getUTCSeconds())}Z` };
}

/** UTCTime YYMMDDHHMMSSZ (seconds; milliseconds are dropped). Years 1950–2049 only. */
export function utcTime(ms: number): Buffer {
  const { year, rest } = timeDigits(ms);
  if (year < 1950 || year > 2049) throw new RangeError(`UTCTime covers 1950–2049, not ${year}`);
  return tlv(TAG.UTC_TIME, Buffer.from(`${pad(year % 100)}${rest}`, 'latin1'));
}

/** GeneralizedTime YYYYMMDDHHMMSSZ (seconds, no fraction, as RFC 5280 §4.1.2.5.2 requires). */
export function generalizedTime(ms: number): Buffer {
  const { year, rest } = timeDigits(ms);
  return tlv(TAG.GENERALIZED_TIME, Buffer.from(`${pad(year, 4)}${rest}`, 'latin1'));
}

/** X.509 Time: UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5). */
export function x509Time(ms: number): Buffer {
  const year = new Date(ms).getUTCFullYear();
  return year >= 1950 && year <= 2049 ? utcTime(ms) : generalizedTime(ms);
}

function contextTag(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag [${n}] out of range`);
  return 0x80 | n;
}

/** [n] EXPLICIT: a constructed context tag wrapping the whole inner encoding. */
export function explicit(n: number, inner: Buffer): Buffer {
  return tlv(contextTag(n) | 0x20, inner);
}

/**
 * [n] IMPLICIT: the context tag replaces the inner value's own tag; `content` is the inner
 * value's content octets. Set `isConstructed` when the replaced type was constructed (SET, SEQUENCE).
 */
export function implicit(n: number, content: Buffer, isConstructed = false): Buffer {
  return tlv(contextTag(n) | (isConstructed ? 0x20 : 0), content);
}
