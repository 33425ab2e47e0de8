// Imports the AWS IAM credential report (CSV, one row per IAM user plus the account root user).
// The report's users are owned by the authorization-details importer, which has their tags and
// policies; this one emits the credentials the report lists (access keys, signing certificates)
// and the root user, which the authorization details never include.
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { readCsvRowBatches, type CsvRow } from './read-csv-rows.ts';

const WHAT = 'the AWS credential report';
const KEY_COLUMNS = (n: 1 | 2) => [
  `access_key_${n}_active`, `access_key_${n}_last_rotated`, `access_key_${n}_last_used_date`,
  `access_key_${n}_last_used_region`, `access_key_${n}_last_used_service`,
];
/** The columns AWS documents for the report; extra columns (AWS may add some) are ignored. */
export const CREDENTIAL_REPORT_COLUMNS: readonly string[] = [
  'user', 'arn', 'user_creation_time', 'password_enabled', 'password_last_used', 'password_last_changed',
  'password_next_rotation', 'mfa_active', ...KEY_COLUMNS(1), ...KEY_COLUMNS(2),
  'cert_1_active', 'cert_1_last_rotated', 'cert_2_active', 'cert_2_last_rotated',
];
/** Values the report uses for "no value": N/A (not applicable), no_information (not tracked). */
const NO_VALUE = new Set(['', 'n/a', 'no_information', 'not_supported']);
const IAM_ARN = /^arn:aws[a-z-]*:iam::(\d{12}):(root|user\/.+)$/;
// ISO 8601, extended or basic; the report writes 2024-05-01T10:00:00+00:00, but hand-edited or
// re-saved copies come with Z, fractions, a space for T, no seconds, or a date alone.
const ISO_8601 = /^(\d{4})-?(\d{2})-?(\d{2})(?:[Tt ](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?\s*([Zz]|[+-]\d{2}(?::?\d{2})?)?)?$/;

const DAYS = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
const at2 = (s: string, i: number) => (s.charCodeAt(i) - 48) * 10 + s.charCodeAt(i + 1) - 48;
/** The shape AWS writes, 2024-05-01T10:00:00+00:00, without a regex: a report has ~1M of them. */
function canonical(s: string): number | undefined {
  if (s.length !== 25 || !/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$/.test(s)) return undefined;
  const y = at2(s, 0) * 100 + at2(s, 2), mo = at2(s, 5), d = at2(s, 8), h = at2(s, 11), mi = at2(s, 14), sec = at2(s, 17);
  if (mo < 1 || mo > 12 || d < 1 || d > DAYS[mo - 1]! || h > 23 || mi > 59 || sec > 59) return undefined;
  if (mo === 2 && d === 29 && !(y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0))) return undefined;
  return Date.UTC(y, mo - 1, d, h, mi, sec);
}

/**
 * Epoch ms of an ISO 8601 timestamp as AWS writes them; a time without an offset is UTC (AWS
 * exports are). Returns undefined for anything else, including impossible dates (2024-02-30).
 */
export function parseAwsTimestamp(text: string): number | undefined {
  const fast = canonical(text);
  if (fast !== undefined) return fast;
  const m = ISO_8601.exec(text.trim());
  if (!m) return undefined;
  const [, y, mo, d, h = '0', mi = '0', s = '0', frac = '', zone = 'Z'] = m;
  const year = Number(y), month = Number(mo), day = Number(d), hour = Number(h), minute = Number(mi), second = Number(s);
  if (month < 1 || month > 12 || day < 1 || day > new Date(Date.UTC(year, month, 0)).getUTCDate()) return undefined;
  if (hour > 23 || minute > 59 || second > 59) return undefined;
  let offset = 0;
  if (zone !== 'Z' && zone !== 'z') {
    const digits = zone.slice(1).replace(':', '');
    const oh = Number(digits.slice(0, 2)), om = Number(digits.slice(2) || '0');
    if (oh > 23 || om > 59) return undefined;
    offset = (zone[0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000;
  }
  const ms = Number(frac.padEnd(3, '0').slice(0, 3));
  return Date.UTC(year, month - 1, day, hour, minute, second, ms) - offset;
}

export const awsCredentialReport: Importer = {
  source: 'aws-credential-report',
  producedBy: 'aws iam generate-credential-report && aws iam get-credential-report --query Content --output text | base64 -d > report.csv',
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    let account: string | undefined;
    return {
      records: flatten(readReport(input, (a) => { account = a; })),
      scope: () => {
        if (opts.scope) return opts.scope;
        if (account) return account;
        throw new TesseraError('ERR_INVALID_INPUT', `${WHAT} has no user rows to read the account id from; give the scope (account id) explicitly`, { field: 'scope', rule: 'required' });
      },
    };
  },
};

function headerHint(header: string[]): string {
  const first = header[0]?.trim() ?? '';
  return header.length === 1 && /^[A-Za-z0-9+/=]{16,}$/.test(first) ? ' (this looks base64-encoded; decode it with base64 -d)' : '';
}

/** Passes the input through, refusing it at its first byte if it is the CLI's JSON response. */
async function* refuseJson(input: AsyncIterable<Buffer | string>): AsyncGenerator<Buffer | string> {
  let held: (Buffer | string)[] | undefined = []; // leading blank pieces, until a real byte decides
  let heldBytes = 0;
  for await (const piece of input) {
    if (held === undefined) { yield piece; continue; }
    held.push(piece);
    const buf = typeof piece === 'string' ? Buffer.from(piece) : piece;
    heldBytes += buf.length;
    // skip spaces, line breaks and the BOM's bytes
    const c = buf.find((b) => b !== 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d && b !== 0xef && b !== 0xbb && b !== 0xbf);
    if (c === undefined && heldBytes < 65536) continue;
    if (c === 0x7b || c === 0x5b) {
      throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: this is JSON, not the report's CSV: add --query Content --output text and decode it with base64 -d`, { field: 'file', rule: 'kind' });
    }
    yield* held;
    held = undefined;
  }
  if (held) yield* held;
}

/**
 * Hands out records one by one from batches (one per chunk of the file): an async generator step
 * per record would cost more than building the record.
 */
function flatten<T>(batches: AsyncIterator<T[]>): AsyncIterable<T> {
  let batch: T[] = [], i = 0;
  const iterator: AsyncIterator<T> = {
    next: async () => {
      while (i >= batch.length) {
        const step = await batches.next();
        if (step.done) return { done: true, value: undefined };
        batch = step.value; i = 0;
      }
      return { done: false, value: batch[i++]! };
    },
    return: async () => { await batches.return?.(); return { done: true, value: undefined }; },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

interface Slot { active: number; rotated: number; usedDate: number; usedRegion: number; usedService: number }
/** Column positions, found by name once from the header. */
interface Columns { user: number; arn: number; created: number; passwordUsed: number; mfa: number; keys: Slot[]; certs: Slot[] }

/** Reads one row's cells; every error names the row, its line and the column. */
class Cells {
  private readonly row: CsvRow;
  private readonly rowNo: number;
  private readonly header: string[];
  constructor(row: CsvRow, rowNo: number, header: string[]) { this.row = row; this.rowNo = rowNo; this.header = header; }
  fail(field: string, rule: string, message: string): never {
    throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: row ${this.rowNo} (line ${this.row.line}): ${message}`, { field, rule, row: this.rowNo, line: this.row.line });
  }
  get(i: number): string { return this.row[i]!.trim(); }
  text(i: number): string | null { const v = this.get(i); return v === 'N/A' || NO_VALUE.has(v.toLowerCase()) ? null : v; }
  date(i: number): number | null {
    const v = this.get(i);
    if (v === 'N/A' || NO_VALUE.has(v.toLowerCase())) return null;
    const t = parseAwsTimestamp(v);
    return t === undefined ? this.fail(this.header[i]!, 'date', `column ${this.header[i]}: ${JSON.stringify(v)} is not an ISO 8601 date-time`) : t;
  }
  bool(i: number): boolean {
    const v = this.get(i).toLowerCase();
    if (v === 'true') return true;
    if (v === 'false') return false;
    return this.fail(this.header[i]!, 'boolean', `column ${this.header[i]}: ${JSON.stringify(this.get(i))} is not true or false`);
  }
}

function credential(kind: 'static-key' | 'certificate', arn: string, slot: string, name: string, active: boolean,
  rotatedAt: number | null, lastUsedAt: number | null, attributes: Record<string, unknown>): InventoryRecord {
  return {
    category: 'credential', kind, nativeId: `${arn}/${slot}`, name, parentId: arn,
    owner: null, service: null, environment: null, tier: null,
    // An access key or certificate cannot be changed, only replaced: "last rotated" is the day
    // the current one was created.
    createdAt: rotatedAt, lastRotatedAt: rotatedAt, lastUsedAt, expiresAt: null,
    active, longLived: true, federated: false, attributes,
  };
}

function columnsOf(header: string[]): Columns {
  const col = new Map<string, number>();
  header.forEach((h, i) => { if (!col.has(h)) col.set(h, i); });
  const missing = CREDENTIAL_REPORT_COLUMNS.filter((name) => !col.has(name));
  if (missing.length > 0) {
    throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: missing columns: ${missing.join(', ')}${headerHint(header)}`,
      { field: 'columns', rule: 'missing-columns', missing });
  }
  const at = (name: string) => col.get(name)!;
  const key = (n: number): Slot => ({ active: at(`access_key_${n}_active`), rotated: at(`access_key_${n}_last_rotated`),
    usedDate: at(`access_key_${n}_last_used_date`), usedRegion: at(`access_key_${n}_last_used_region`), usedService: at(`access_key_${n}_last_used_service`) });
  const cert = (n: number): Slot => ({ active: at(`cert_${n}_active`), rotated: at(`cert_${n}_last_rotated`), usedDate: -1, usedRegion: -1, usedService: -1 });
  return { user: at('user'), arn: at('arn'), created: at('user_creation_time'), passwordUsed: at('password_last_used'), mfa: at('mfa_active'),
    keys: [key(1), key(2)], certs: [cert(1), cert(2)] };
}

async function* readReport(input: AsyncIterable<Buffer | string>, setAccount: (account: string) => void): AsyncGenerator<InventoryRecord[]> {
  const seen = new Set<string>();
  let account: string | undefined;
  let header: string[] | undefined;
  let cols: Columns | undefined;
  let pending: CsvRow | undefined;
  let rowNo = 0;

  const rowRecords = (row: CsvRow, last: boolean): InventoryRecord[] => {
    const c = new Cells(row, ++rowNo, header!), k = cols!;
    if (row.length !== header!.length) {
      if (last && row.length < header!.length) c.fail('file', 'truncated', `has ${row.length} of ${header!.length} columns; the file ends in the middle of a row, was it truncated?`);
      c.fail('columns', 'row-length', `has ${row.length} columns but the header has ${header!.length}`);
    }
    const user = c.get(k.user), arn = c.get(k.arn);
    const m = IAM_ARN.exec(arn);
    if (!m) return c.fail('arn', 'arn', `column arn: ${JSON.stringify(arn)} is not an IAM user or root ARN`);
    if (account === undefined) { account = m[1]!; setAccount(account); }
    else if (m[1] !== account) c.fail('arn', 'account', `user ${user} belongs to account ${m[1]}, the rows before to ${account}; a report covers one account`);
    if (seen.has(arn)) c.fail('user', 'duplicate', `user ${user} (${arn}) appears twice`);
    seen.add(arn);
    const isRoot = m[2] === 'root';
    if (isRoot !== (user === '<root_account>')) c.fail('user', 'root', `user ${JSON.stringify(user)} does not match its ARN ${arn}`);

    const out: InventoryRecord[] = [];
    const createdAt = c.date(k.created);
    if (isRoot) {
      out.push({
        category: 'identity', kind: 'user', nativeId: arn, name: user, parentId: null,
        owner: null, service: null, environment: null, tier: null,
        createdAt, lastRotatedAt: null, lastUsedAt: c.date(k.passwordUsed), expiresAt: null,
        active: true, longLived: false, federated: false,
        attributes: { root: true, mfaActive: c.bool(k.mfa) },
      });
    }
    k.keys.forEach((s, i) => {
      const active = c.bool(s.active), rotated = c.date(s.rotated);
      // An empty slot reads false/N/A; an inactive key that exists still has its rotation date.
      if (!active && rotated === null) return;
      out.push(credential('static-key', arn, `access-key-${i + 1}`, `${user} access key ${i + 1}`, active, rotated, c.date(s.usedDate),
        { user, lastUsedRegion: c.text(s.usedRegion), lastUsedService: c.text(s.usedService) }));
    });
    k.certs.forEach((s, i) => {
      const active = c.bool(s.active), rotated = c.date(s.rotated);
      if (!active && rotated === null) return;
      out.push(credential('certificate', arn, `cert-${i + 1}`, `${user} signing certificate ${i + 1}`, active, rotated, null, { user }));
    });
    return out;
  };

  for await (const batch of readCsvRowBatches(refuseJson(input), { what: WHAT })) {
    const out: InventoryRecord[] = [];
    for (const row of batch) {
      if (header === undefined) { header = row.map((h) => h.trim()); cols = columnsOf(header); continue; }
      // A row is read one step late so that a short *last* row is reported as a truncated file.
      if (pending) out.push(...rowRecords(pending, false));
      pending = row;
    }
    if (out.length > 0) yield out;
  }
  if (header === undefined) throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: the file is empty`, { field: 'file', rule: 'empty' });
  if (pending) yield rowRecords(pending, true);
}
