import { invalid } from '../shared/errors.ts';
import type { AuditRepo } from './audit-repo.ts';
import { ChainChecker, type ChainProblem } from './chain-checker.ts';
import { GENESIS_HASH } from './types.ts';

export interface VerifyOptions {
  /**
   * A head hash recorded outside Tessera earlier (e.g. by an auditor). It must still be the hash
   * of an event in the chain: a chain rewritten consistently, head included, fails this check.
   */
  expectHead?: string | undefined;
  onProgress?: ((seq: number) => void) | undefined;
  /** Problems listed in the result (all are counted); default 100. */
  maxProblems?: number | undefined;
}

export interface VerifyResult {
  ok: boolean;
  /** Rows read. */
  events: number;
  /** The last row's seq and stored hash (0 and the genesis hash for an empty log). */
  headSeq: number;
  headHash: string;
  problems: ChainProblem[];
  /** All problems found; `problems` lists the first maxProblems of them. */
  problemCount: number;
  /** Where expectHead was found in the chain, when it was given and found. */
  expectHeadSeq?: number;
}

const HASH = /^[0-9a-f]{64}$/;
const PROGRESS_EVERY = 10_000;

/**
 * Streams the whole log through the chain checker, then compares the chain's end with the
 * stored head. The head is read before and after the scan: events and head commit together,
 * so every row up to the first reading must be there, and no row may lie past the second
 * (events appended while the scan runs fall in between and are fine).
 */
export async function verifyChain(repo: AuditRepo, opts: VerifyOptions = {}): Promise<VerifyResult> {
  const expectHead = opts.expectHead;
  if (expectHead !== undefined && !HASH.test(expectHead)) {
    throw invalid('expectHead', 'must be a SHA-256 hash: 64 lowercase hex characters');
  }
  const checker = new ChainChecker({ maxProblems: opts.maxProblems });
  const before = await repo.head();
  let hashAtBefore = before.seq === 0 ? GENESIS_HASH : undefined;
  let expectHeadSeq = expectHead === GENESIS_HASH ? 0 : undefined;
  for await (const e of repo.scan(0)) {
    checker.push(e);
    if (e.seq === before.seq) hashAtBefore = e.hash;
    if (e.hash === expectHead) expectHeadSeq = e.seq;
    if (checker.events % PROGRESS_EVERY === 0) opts.onProgress?.(e.seq);
  }
  const after = await repo.head();
  const last = checker.last;
  if (last.seq < before.seq) {
    const range = before.seq - last.seq === 1 ? `row ${before.seq} is` : `rows ${last.seq + 1}–${before.seq} are`;
    checker.report(last.seq + 1, 'head-mismatch', `${range} missing: the head records seq ${before.seq} but the last row is ${last.seq} (the newest rows were deleted)`);
  } else if (hashAtBefore !== undefined && hashAtBefore !== before.hash) {
    checker.report(before.seq, 'head-mismatch', `the head records hash ${before.hash.slice(0, 12)}… for seq ${before.seq} but row ${before.seq}'s hash is ${hashAtBefore.slice(0, 12)}…: the row or the head was changed`);
  }
  if (last.seq > after.seq) {
    checker.report(after.seq + 1, 'head-mismatch', `rows ${after.seq + 1}–${last.seq} lie past the head (seq ${after.seq}): they were added outside Tessera or the head was moved back`);
  } else if (last.seq === after.seq && last.hash !== after.hash && after.seq !== before.seq) {
    checker.report(last.seq, 'head-mismatch', `the head records hash ${after.hash.slice(0, 12)}… for seq ${after.seq} but row ${last.seq}'s hash is ${last.hash.slice(0, 12)}…`);
  }
  if (expectHead !== undefined && expectHeadSeq === undefined) {
    checker.report(last.seq, 'head-mismatch', `the expected head ${expectHead.slice(0, 12)}… is not the hash of any event in the chain: the log was rewritten (or the hash belongs to another log)`);
  }
  opts.onProgress?.(last.seq);
  const problems = checker.finish();
  return {
    ok: checker.problemCount === 0,
    events: checker.events,
    headSeq: last.seq,
    headHash: last.hash,
    problems,
    problemCount: checker.problemCount,
    ...(expectHeadSeq !== undefined ? { expectHeadSeq } : {}),
  };
}
