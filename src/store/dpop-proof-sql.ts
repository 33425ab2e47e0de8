import type { DpopProofRepo } from '../broker/dpop/dpop-proof-repo.ts';
import { sqlOf } from './write-queue.ts';

/** DpopProofRepo over either dialect (only PostgreSQL deployments write to it); writes only, inside the caller's Tx. */
export function dpopProofRepo(): DpopProofRepo {
  return {
    async remember(tx, proofHash, expiresAt) {
      // The primary key decides: of two servers inserting one hash at once, the second waits for
      // the first to commit and then inserts nothing.
      const n = await sqlOf(tx).run('INSERT INTO dpop_proofs (proof_hash, expires_at) VALUES ($1, $2) ON CONFLICT (proof_hash) DO NOTHING',
        [proofHash, expiresAt]);
      return n === 1;
    },
    async prune(tx, now) {
      return sqlOf(tx).run('DELETE FROM dpop_proofs WHERE expires_at <= $1', [now]);
    },
  };
}
