import type { JsonWebKey } from 'node:crypto';
import type { KeyPurpose, KeyRepo, KeyStatus, StoredKey } from '../ca/key-repo.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'kid, purpose, alg, public_jwk, private_key_enc, status, created_at, activated_at, retired_at, '
  + 'not_before, not_after, publish_until, certificate_der, chain';
type Row = {
  kid: string; purpose: string; alg: string; public_jwk: string; private_key_enc: string; status: string;
  created_at: number; activated_at: number | null; retired_at: number | null;
  not_before: number | null; not_after: number | null; publish_until: number | null; certificate_der: string | null; chain: string | null;
};
const num = (v: number | null) => (v === null ? null : Number(v));

function fromRow(r: Row): StoredKey {
  const k: StoredKey = {
    kid: r.kid, purpose: r.purpose as KeyPurpose, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as JsonWebKey,
    privateKeyEnc: r.private_key_enc, status: r.status as KeyStatus, createdAt: Number(r.created_at),
    activatedAt: num(r.activated_at), retiredAt: num(r.retired_at),
  };
  // Optional members appear only when set, so keys without them read back exactly as written.
  if (r.not_before !== null) k.notBefore = Number(r.not_before);
  if (r.not_after !== null) k.notAfter = Number(r.not_after);
  if (r.publish_until !== null) k.publishUntil = Number(r.publish_until);
  if (r.certificate_der !== null) k.certDer = Buffer.from(r.certificate_der, 'base64');
  if (r.chain !== null) k.chainDer = (JSON.parse(r.chain) as string[]).map((c) => Buffer.from(c, 'base64'));
  return k;
}

function params(k: StoredKey): unknown[] {
  if (!k.privateKeyEnc.startsWith('v1.')) throw new Error('refusing to store a private key that is not encrypted');
  return [k.kid, k.purpose, k.alg, JSON.stringify(k.publicJwk), k.privateKeyEnc, k.status, k.createdAt, k.activatedAt, k.retiredAt,
    k.notBefore ?? null, k.notAfter ?? null, k.publishUntil ?? null, k.certDer ? k.certDer.toString('base64') : null,
    k.chainDer ? JSON.stringify(k.chainDer.map((c) => c.toString('base64'))) : null];
}
const VALUES = '$1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14';

export function keyRepo(db: Sql): KeyRepo {
  return {
    async list(purpose?: KeyPurpose) {
      const rows = purpose === undefined
        ? await db.all<Row>(`SELECT ${COLS} FROM signing_keys ORDER BY created_at, kid`)
        : await db.all<Row>(`SELECT ${COLS} FROM signing_keys WHERE purpose = $1 ORDER BY created_at, kid`, [purpose]);
      return rows.map(fromRow);
    },
    async insert(tx, k: StoredKey) {
      // DO NOTHING covers both the kid primary key and the one-active-key-per-purpose index
      // (migration 0002): a lost race surfaces as ERR_CONFLICT instead of aborting the
      // PostgreSQL transaction with a raw unique violation.
      const n = await sqlOf(tx).run(`INSERT INTO signing_keys (${COLS}) VALUES (${VALUES}) ON CONFLICT DO NOTHING`, params(k));
      if (n === 0) throw new TesseraError('ERR_CONFLICT', `signing key ${k.kid} or another active ${k.purpose} key already exists`, { kid: k.kid });
    },
    async setStatus(tx, kid: string, status: KeyStatus, at: number) {
      const col = status === 'active' ? ', activated_at = $3' : status === 'retired' ? ', retired_at = $3' : '';
      const p: unknown[] = [status, kid];
      if (col) p.push(at);
      return (await sqlOf(tx).run(`UPDATE signing_keys SET status = $1${col} WHERE kid = $2`, p)) > 0;
    },
    async prepare(tx, k: StoredKey) {
      if (k.status !== 'prepared') throw new Error('prepare() stores prepared keys only');
      const values = params(k);
      const sql = sqlOf(tx);
      // Lock the purpose's active row first: on PostgreSQL a second server preparing at the same
      // moment waits here until the first commits, and its count below then sees the first's key.
      // (SQLite has a single writer, so the check and the insert are serialised anyway.)
      await sql.run("UPDATE signing_keys SET status = status WHERE purpose = $1 AND status = 'active'", [k.purpose]);
      const existing = await sql.get<{ n: number }>("SELECT COUNT(*) AS n FROM signing_keys WHERE purpose = $1 AND status = 'prepared'", [k.purpose]);
      if (Number(existing?.n ?? 0) > 0) return false;
      return (await sql.run(`INSERT INTO signing_keys (${COLS}) VALUES (${VALUES}) ON CONFLICT DO NOTHING`, values)) > 0;
    },
    async activate(tx, kid, at) {
      return (await sqlOf(tx).run("UPDATE signing_keys SET status = 'active', activated_at = $2 WHERE kid = $1 AND status = 'prepared'", [kid, at])) > 0;
    },
    async retire(tx, kid, at, publishUntil, from = 'active') {
      if (from !== 'active' && from !== 'prepared') throw new Error('retire() moves active or prepared keys only');
      return (await sqlOf(tx).run(
        "UPDATE signing_keys SET status = 'retired', retired_at = $2, publish_until = $3, private_key_enc = '' WHERE kid = $1 AND status = $4",
        [kid, at, publishUntil, from])) > 0;
    },
  };
}
