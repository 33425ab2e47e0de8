import { randomFillSync } from 'node:crypto';

// Random bytes are drawn 4 KiB at a time: one CSPRNG call per 256 ids instead of one each
// (every request gets an id, so this is on the hot path of every API call).
const POOL = Buffer.alloc(4096);
let offset = POOL.length;

/** UUIDv7 (RFC 9562): time-ordered, so keyset pagination by id follows creation order. */
export function uuidv7(now: number = Date.now()): string {
  if (offset + 16 > POOL.length) { randomFillSync(POOL); offset = 0; }
  const b = POOL.subarray(offset, offset + 16);
  offset += 16;
  b.writeUIntBE(now, 0, 6);
  b[6] = 0x70 | (b[6]! & 0x0f);
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}
