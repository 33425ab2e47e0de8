// The X509-SVID TBSCertificate written in one pass into one buffer: the hot path's template.
// The fixed parts come pre-encoded from the prepared CA; the slots (serial, validity, public
// key, subject key id, SPIFFE ID, any DNS names) are written in place. The output is byte-for-byte what the
// general encoder in der.ts produces for the same inputs (the tests compare the two).

/** The per-CA parts, already DER. */
export interface TbsFixed {
  /** version [0] EXPLICIT INTEGER 2 */
  version: Buffer;
  /** signature AlgorithmIdentifier followed by the issuer Name */
  algAndIssuer: Buffer;
  /** the subject Name (empty for an X509-SVID) */
  subject: Buffer;
  /** extensions that do not change per certificate */
  fixedExtensions: Buffer;
}

/** The per-certificate slots. */
export interface TbsSlots {
  /** 16 random octets; written as a minimal positive INTEGER */
  serial: Buffer;
  notBefore: number;
  notAfter: number;
  spkiDer: Buffer;
  /** keyUsage extension, chosen by key type */
  keyUsage: Buffer;
  /** subject key identifier, 20 octets */
  keyId: Buffer;
  /** the SPIFFE ID (ASCII, checked by the caller) */
  uri: string;
  /** DNS names after the URI in the SAN (ASCII, checked by the caller); usually none */
  dnsNames?: readonly string[];
}

const lenSize = (n: number) => (n < 0x80 ? 1 : n < 0x100 ? 2 : n < 0x10000 ? 3 : 4);

function writeHeader(buf: Buffer, at: number, tag: number, len: number): number {
  buf[at++] = tag;
  if (len < 0x80) { buf[at++] = len; return at; }
  if (len < 0x100) { buf[at++] = 0x81; buf[at++] = len; return at; }
  if (len < 0x10000) { buf[at++] = 0x82; buf[at++] = len >> 8; buf[at++] = len & 0xff; return at; }
  buf[at++] = 0x83; buf[at++] = len >> 16; buf[at++] = (len >> 8) & 0xff; buf[at++] = len & 0xff;
  return at;
}

function writeDigits(buf: Buffer, at: number, n: number, width: number): number {
  for (let i = width - 1; i >= 0; i--) { buf[at + i] = 0x30 + (n % 10); n = Math.floor(n / 10); }
  return at + width;
}

/** UTCTime through 2049, GeneralizedTime from 2050 (RFC 5280 §4.1.2.5); 1950–9999 only. */
function timeLength(ms: number): number {
  const y = new Date(ms).getUTCFullYear();
  if (y < 1950 || y > 9999) throw new RangeError(`year ${y} cannot be encoded in an X509-SVID`);
  return y <= 2049 ? 15 : 17;
}

function writeTime(buf: Buffer, at: number, ms: number): number {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  if (y <= 2049) { buf[at++] = 0x17; buf[at++] = 13; at = writeDigits(buf, at, y % 100, 2); } else { buf[at++] = 0x18; buf[at++] = 15; at = writeDigits(buf, at, y, 4); }
  at = writeDigits(buf, at, d.getUTCMonth() + 1, 2);
  at = writeDigits(buf, at, d.getUTCDate(), 2);
  at = writeDigits(buf, at, d.getUTCHours(), 2);
  at = writeDigits(buf, at, d.getUTCMinutes(), 2);
  at = writeDigits(buf, at, d.getUTCSeconds(), 2);
  buf[at++] = 0x5a; // 'Z'
  return at;
}

// subjectKeyIdentifier extension up to the 20 key id octets: SEQUENCE { OID 2.5.29.14, OCTET STRING { OCTET STRING (20) } }
const SKI_PREFIX = Buffer.from('301d0603551d0e04160414', 'hex');
// subjectAltName OID and critical flag: the SAN is critical because the subject is empty
// (RFC 5280 §4.2.1.6), DNS names or not.
const SAN_OID_CRITICAL = Buffer.from('0603551d110101ff', 'hex');

export function writeSvidTbs(f: TbsFixed, s: TbsSlots): Buffer {
  if (s.serial.length !== 16) throw new RangeError('serial must be 16 octets');
  if (s.keyId.length !== 20) throw new RangeError('key id must be 20 octets');
  let first = 0;
  while (first < 15 && s.serial[first] === 0) first++;
  const serialPad = (s.serial[first]! & 0x80) !== 0 ? 1 : 0;
  const serialContent = 16 - first + serialPad;

  const nb = timeLength(s.notBefore);
  const na = timeLength(s.notAfter);
  const validityContent = nb + na;

  const uriLen = s.uri.length;
  let dnsLen = 0;
  if (s.dnsNames) for (const d of s.dnsNames) dnsLen += 1 + lenSize(d.length) + d.length;
  const generalNames = 1 + lenSize(uriLen) + uriLen + dnsLen;     // [6] uri, then [2] dNSName each
  const sanValue = 1 + lenSize(generalNames) + generalNames;       // SEQUENCE OF GeneralName
  const sanOctets = 1 + lenSize(sanValue) + sanValue;              // OCTET STRING { … }
  const sanContent = SAN_OID_CRITICAL.length + sanOctets;
  const sanExt = 1 + lenSize(sanContent) + sanContent;
  const extsContent = f.fixedExtensions.length + s.keyUsage.length + SKI_PREFIX.length + 20 + sanExt;
  const extsSeq = 1 + lenSize(extsContent) + extsContent;

  const body = f.version.length + 2 + serialContent + f.algAndIssuer.length + 2 + validityContent
    + f.subject.length + s.spkiDer.length + 1 + lenSize(extsSeq) + extsSeq;
  const buf = Buffer.allocUnsafe(1 + lenSize(body) + body);

  let at = writeHeader(buf, 0, 0x30, body);
  at += f.version.copy(buf, at);
  at = writeHeader(buf, at, 0x02, serialContent);
  if (serialPad) buf[at++] = 0;
  at += s.serial.copy(buf, at, first);
  at += f.algAndIssuer.copy(buf, at);
  at = writeHeader(buf, at, 0x30, validityContent);
  at = writeTime(buf, at, s.notBefore);
  at = writeTime(buf, at, s.notAfter);
  at += f.subject.copy(buf, at);
  at += s.spkiDer.copy(buf, at);
  at = writeHeader(buf, at, 0xa3, extsSeq);
  at = writeHeader(buf, at, 0x30, extsContent);
  at += f.fixedExtensions.copy(buf, at);
  at += s.keyUsage.copy(buf, at);
  at += SKI_PREFIX.copy(buf, at);
  at += s.keyId.copy(buf, at);
  at = writeHeader(buf, at, 0x30, sanContent);
  at += SAN_OID_CRITICAL.copy(buf, at);
  at = writeHeader(buf, at, 0x04, sanValue);
  at = writeHeader(buf, at, 0x30, generalNames);
  at = writeHeader(buf, at, 0x86, uriLen);
  at += buf.write(s.uri, at, 'latin1');
  if (s.dnsNames) {
    for (const d of s.dnsNames) {
      at = writeHeader(buf, at, 0x82, d.length);
      at += buf.write(d, at, 'latin1');
    }
  }
  if (at !== buf.length) throw new Error(`TBSCertificate length mismatch: wrote ${at} of ${buf.length}`);
  return buf;
}
