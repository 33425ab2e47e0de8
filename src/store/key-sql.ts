import type { JsonWebKey } from 'node:crypto';
import type { KeyPurpose, KeyRepo, KeyStatus, StoredKey } from '../ca/key-repo.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Sql } from './sql.ts';
import { sqlOf } from './write-queue.ts';

const COLS = 'kid, purpose, alg, public_jwk, private_key_enc, status, created_at, activated_at, retired_at';
type Row = {
  kid: string; purpose: string; alg: string; public_jwk: string; private_key_enc: string; status: string;
  created_at: number; activated_at: number | null; retired_at: number | null;
};
const num = (v: number | null) => (v === null ? null : Number(v));
const fromRow = (r: Row): StoredKey => ({
  kid: r.kid, purpose: r.purpose as KeyPurpose, alg: r.alg, publicJwk: JSON.parse(r.public_jwk) as JsonWebKey,
  privateKeyEnc: r.private_key_enc, status: r.status as KeyStatus, createdAt: Number(r.created_at),
  activatedAt: num(r.activated_at), retiredAt: num(r.retired_at),
});

export function keyRepo(db: Sql): KeyRepo {
  return {
    async list(purpose?: KeyPurpose) {
      const rows = purpose === undefined
        ? await db.all<Row>(`SELECT ${COLS} FROM signing_keys ORDER BY created_at, kid`)
        : await db.all<Row>(`SELECT ${COLS} FROM signing_keys WHERE purpose = $1 ORDER BY created_at, kid`, [purpose]);
      return rows.map(fromRow);
    },
    async insert(tx, k: StoredKey) {
      if (!k.privateKeyEnc.startsWith('v1.')) throw new Error('refusing to store a private key that is not encrypted');
      // DO NOTHING covers both the kid primary key and the one-active-key-per-purpose index
      // (migration 0002): a lost race surfaces as ERR_CONFLICT instead of aborting the
      // PostgreSQL transaction with a raw unique violation.
      const n = await sqlOf(tx).run(
        `INSERT INTO signing_keys (${COLS}) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT DO NOTHING`,
        [k.kid, k.purpose, k.alg, JSON.stringify(k.publicJwk), k.privateKeyEnc, k.status, k.createdAt, k.activatedAt, k.retiredAt]);
      if (n === 0) throw new TesseraError('ERR_CONFLICT', `signing key ${k.kid} or another active ${k.purpose} key already exists`, { kid: k.kid });
    },
    async setStatus(tx, kid: string, status: KeyStatus, at: number) {
      const col = status === 'active' ? ', activated_at = $3' : status === 'retired' ? ', retired_at = $3' : '';
      const params: unknown[] = [status, kid];
      if (col) params.push(at);
      return (await sqlOf(tx).run(`UPDATE signing_keys SET status = $1${col} WHERE kid = $2`, params)) > 0;
    },
  };
}
