// A strict DER reader: just enough to walk a PKCS#10 request or a CA certificate. It refuses
// every encoding DER forbids that matters for safe parsing (indefinite or non-minimal lengths,
// high tag numbers, values running past their parent), so malformed input fails early with a
// message saying where.
import { TAG } from './der.ts';

export class DerError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DerError';
  }
}

/** One element: its tag and where its header and content sit in the buffer. */
export interface Tlv {
  tag: number;
  /** offset of the tag octet */
  start: number;
  /** offset of the first content octet */
  contentStart: number;
  /** offset just past the content */
  end: number;
}

/** Reads the element at `offset`; it must end at or before `limit`. */
export function readTlv(buf: Buffer, offset: number, limit = buf.length): Tlv {
  if (offset >= limit) throw new DerError(`truncated: expected an element at offset ${offset}`);
  const tag = buf[offset]!;
  if ((tag & 0x1f) === 0x1f) throw new DerError(`unsupported high tag number at offset ${offset}`);
  if (offset + 1 >= limit) throw new DerError(`truncated: no length at offset ${offset + 1}`);
  const first = buf[offset + 1]!;
  let length: number;
  let contentStart: number;
  if (first < 0x80) {
    length = first;
    contentStart = offset + 2;
  } else {
    const n = first & 0x7f;
    if (n === 0) throw new DerError(`indefinite length at offset ${offset + 1} (not DER)`);
    if (n > 4) throw new DerError(`length of ${n} octets at offset ${offset + 1} is too large`);
    if (offset + 2 + n > limit) throw new DerError(`truncated length at offset ${offset + 1}`);
    length = 0;
    for (let i = 0; i < n; i++) length = length * 256 + buf[offset + 2 + i]!;
    if (buf[offset + 2] === 0 || length < 0x80) throw new DerError(`non-minimal length at offset ${offset + 1} (not DER)`);
    contentStart = offset + 2 + n;
  }
  const end = contentStart + length;
  if (end > limit) throw new DerError(`truncated: element at offset ${offset} needs ${end - limit} more octets`);
  return { tag, start: offset, contentStart, end };
}

/** Reads the element at `offset` and checks its tag. */
export function expect(buf: Buffer, offset: number, tag: number, what: string, limit = buf.length): Tlv {
  const t = readTlv(buf, offset, limit);
  if (t.tag !== tag) throw new DerError(`${what}: expected tag 0x${tag.toString(16)}, found 0x${t.tag.toString(16)} at offset ${offset}`);
  return t;
}

/** The elements inside a constructed element, which must fill it exactly. */
export function children(buf: Buffer, parent: Tlv): Tlv[] {
  if ((parent.tag & 0x20) === 0) throw new DerError(`element at offset ${parent.start} is not constructed`);
  const out: Tlv[] = [];
  for (let at = parent.contentStart; at < parent.end;) {
    const t = readTlv(buf, at, parent.end);
    out.push(t);
    at = t.end;
  }
  return out;
}

/** Content octets (a view, not a copy). */
export function contentOf(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.contentStart, t.end);
}

/** The whole encoding, header included (a view, not a copy). */
export function encodingOf(buf: Buffer, t: Tlv): Buffer {
  return buf.subarray(t.start, t.end);
}

/** Reads an entire buffer as exactly one element: trailing octets are an error. */
export function readWhole(buf: Buffer, tag: number, what: string): Tlv {
  const t = expect(buf, 0, tag, what);
  if (t.end !== buf.length) throw new DerError(`${what}: ${buf.length - t.end} trailing octets after the end`);
  return t;
}

/** The dotted form of an OBJECT IDENTIFIER element. */
export function readOid(buf: Buffer, t: Tlv): string {
  if (t.tag !== TAG.OID) throw new DerError(`expected an OID at offset ${t.start}`);
  const c = contentOf(buf, t);
  if (c.length === 0 || (c[c.length - 1]! & 0x80) !== 0) throw new DerError(`malformed OID at offset ${t.start}`);
  const arcs: bigint[] = [];
  let v = 0n;
  let fresh = true;
  for (const byte of c) {
    if (fresh && byte === 0x80) throw new DerError(`non-minimal OID arc at offset ${t.start}`);
    v = (v << 7n) | BigInt(byte & 0x7f);
    fresh = (byte & 0x80) === 0;
    if (fresh) { arcs.push(v); v = 0n; }
  }
  const head = arcs[0]!;
  const [a, b] = head < 40n ? [0n, head] : head < 80n ? [1n, head - 40n] : [2n, head - 80n];
  return [a, b, ...arcs.slice(1)].join('.');
}

/** A BIT STRING's octets; refuses padding bits (keys and signatures are whole octets). */
export function readOctetAlignedBits(buf: Buffer, t: Tlv, what: string): Buffer {
  if (t.tag !== TAG.BIT_STRING) throw new DerError(`${what}: expected a BIT STRING at offset ${t.start}`);
  const c = contentOf(buf, t);
  if (c.length === 0 || c[0] !== 0) throw new DerError(`${what}: BIT STRING must have no unused bits`);
  return c.subarray(1);
}

/** An X.509 Time (UTCTime or GeneralizedTime in the RFC 5280 profile) as epoch ms. */
export function readTime(buf: Buffer, t: Tlv): number {
  const s = contentOf(buf, t).toString('latin1');
  let m: RegExpExecArray | null;
  let year: number;
  if (t.tag === TAG.UTC_TIME && (m = /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    const yy = Number(m[1]);
    year = yy >= 50 ? 1900 + yy : 2000 + yy;
  } else if (t.tag === TAG.GENERALIZED_TIME && (m = /^(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z$/.exec(s))) {
    year = Number(m[1]);
  } else {
    throw new DerError(`malformed time at offset ${t.start}`);
  }
  const [mo, d, h, mi, se] = [2, 3, 4, 5, 6].map((i) => Number(m![i]));
  // setUTCFullYear, not Date.UTC: Date.UTC reads years 0–99 as 1900–1999.
  const date = new Date(Date.UTC(2000, 0, 1));
  date.setUTCFullYear(year, mo! - 1, d);
  date.setUTCHours(h!, mi!, se!);
  const ms = date.getTime();
  if (date.getUTCMonth() !== mo! - 1 || date.getUTCDate() !== d || h! > 23 || mi! > 59 || se! > 59) {
    throw new DerError(`impossible date at offset ${t.start}`);
  }
  return ms;
}
