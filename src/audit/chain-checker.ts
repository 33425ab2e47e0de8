import { hashEvent } from './hash-event.ts';
import { GENESIS_HASH, type AuditEvent } from './types.ts';

export type ChainProblemKind = 'edited' | 'deleted' | 'reordered' | 'head-mismatch' | 'gap';
export interface ChainProblem { seq: number; kind: ChainProblemKind; message: string }

export interface ChainCheckerOptions {
  /** Problems kept in the report (the count goes on); default 100. */
  maxProblems?: number;
  /** How many recent hashes are remembered to recognise a moved row; default 100,000. */
  window?: number;
  /** The event just before the first one pushed (checking a range); default: genesis. */
  start?: { seq: number; hash: string };
}

/** A row whose prevHash names an event not seen yet: decided when (if) that event turns up. */
interface Waiting { e: AuditEvent; hashOk: boolean }

const MAX_WAITING = 10_000;
const short = (h: string) => h.slice(0, 12);

/**
 * Checks a stream of stored audit rows, in seq order, against the hash chain and says what is
 * wrong with which row. Every event's hash covers its seq and its predecessor's hash, so:
 * - a changed field shows as a stored hash that no longer matches the row (edited);
 * - a changed field with the hash recomputed shows as the next row's prevHash not matching it;
 * - a deleted row shows as a seq gap whose next row links to a hash no remaining row has;
 * - a moved row has a hash that verifies only at another seq, found through the row its
 *   prevHash names (which may come later in the scan, hence the waiting list).
 * Memory stays bounded: a window of recent hashes and a capped waiting list.
 */
export class ChainChecker {
  readonly problems: ChainProblem[] = [];
  problemCount = 0;
  events = 0;
  /** Position and stored hash of the last row pushed. */
  last: { seq: number; hash: string };

  private readonly maxProblems: number;
  private readonly window: number;
  /** hash → the seq at which that event verifies (its original position). */
  private readonly known = new Map<string, number>();
  private readonly waiting = new Map<string, Waiting[]>();
  private waitingCount = 0;
  /** Rows that verify in place but whose prevHash matches no event: the link before them is broken. */
  private readonly brokenBefore: number[] = [];
  private readonly reported = new Set<number>();

  constructor(opts: ChainCheckerOptions = {}) {
    this.maxProblems = opts.maxProblems ?? 100;
    this.window = opts.window ?? 100_000;
    this.last = opts.start ?? { seq: 0, hash: GENESIS_HASH };
    this.remember(this.last.hash, this.last.seq);
  }

  push(e: AuditEvent): void {
    this.events++;
    const prev = this.last;
    const hashOk = hashEvent(e) === e.hash;
    if (e.seq !== prev.seq + 1) {
      const missing = e.seq - prev.seq - 1;
      const range = missing === 1 ? `row ${prev.seq + 1} is` : `rows ${prev.seq + 1}–${e.seq - 1} are`;
      if (e.prevHash === prev.hash) {
        this.report(prev.seq + 1, 'gap', `seq jumps from ${prev.seq} to ${e.seq}, yet row ${e.seq} links to row ${prev.seq}: the numbering was changed`);
      } else {
        this.report(prev.seq + 1, 'deleted', `${range} missing: seq jumps from ${prev.seq} to ${e.seq} and row ${e.seq}'s prevHash ${short(e.prevHash)}… is not row ${prev.seq}'s hash`);
      }
      if (!hashOk) this.report(e.seq, 'edited', `row ${e.seq}'s stored hash does not match its content: a field was changed`);
      this.advance(e, hashOk ? e.seq : undefined);
      return;
    }
    if (hashOk && e.prevHash === prev.hash) {
      this.advance(e, e.seq);
      return;
    }
    // Either the row's content does not hash at its seq, or it does not link to the row before.
    // Which event does it name as its predecessor, and where was that event appended? (A row
    // can link correctly to a predecessor that was itself moved: both then sit one place off.)
    const before = this.known.get(e.prevHash);
    if (before !== undefined) {
      this.decide(e, hashOk, before);
      this.advance(e, hashOk ? e.seq : undefined);
      return;
    }
    this.wait(e, hashOk);
    this.advance(e, hashOk ? e.seq : undefined);
  }

  /** Call once after the last row: decides the rows still waiting. Returns the problems, by seq. */
  finish(): ChainProblem[] {
    for (const list of this.waiting.values()) for (const w of list) this.unresolved(w);
    this.waiting.clear();
    this.blameBrokenLinks();
    this.problems.sort((a, b) => a.seq - b.seq);
    return this.problems;
  }

  report(seq: number, kind: ChainProblemKind, message: string): void {
    // A row is named once; head problems are about the log's end, not one row's content.
    if (kind !== 'head-mismatch') {
      if (this.reported.has(seq)) return;
      if (this.reported.size < 1_000_000) this.reported.add(seq);
    }
    this.problemCount++;
    if (this.problems.length < this.maxProblems) this.problems.push({ seq, kind, message });
  }

  private advance(e: AuditEvent, verifiedAt: number | undefined): void {
    this.last = { seq: e.seq, hash: e.hash };
    if (verifiedAt !== undefined) this.remember(e.hash, verifiedAt);
  }

  /** Records where an event verifies, and settles the rows that were waiting for it. */
  private remember(hash: string, seq: number): void {
    this.known.set(hash, seq);
    if (this.known.size > this.window) this.known.delete(this.known.keys().next().value!);
    const list = this.waiting.get(hash);
    if (!list) return;
    this.waiting.delete(hash);
    this.waitingCount -= list.length;
    for (const w of list) this.decide(w.e, w.hashOk, seq);
  }

  /** Row e links to the event appended as seq `before`, which is not the row just before it. */
  private decide(e: AuditEvent, hashOk: boolean, before: number): void {
    if (hashOk) {
      // Intact in place; its predecessor event sits elsewhere (reported where it sits) or not.
      if (before !== e.seq - 1) {
        this.report(e.seq, 'reordered', `row ${e.seq} follows the event appended as seq ${before} in the chain, not row ${e.seq - 1}`);
      }
      return;
    }
    const origin = before + 1;
    if (origin !== e.seq && hashEvent({ ...e, seq: origin }) === e.hash) {
      this.report(e.seq, 'reordered', `row ${e.seq} holds the event appended as seq ${origin} (its hash verifies only there): rows were moved`);
      this.remember(e.hash, origin);
      return;
    }
    this.report(e.seq, 'edited', before === e.seq - 1
      ? `row ${e.seq}'s stored hash does not match its content: a field was changed`
      : `row ${e.seq}'s stored hash does not match its content and its prevHash does not match row ${e.seq - 1}: fields were changed`);
    // Its stored hash is still what a successor would name.
    this.remember(e.hash, e.seq);
  }

  private wait(e: AuditEvent, hashOk: boolean): void {
    const list = this.waiting.get(e.prevHash);
    if (list) list.push({ e, hashOk }); else this.waiting.set(e.prevHash, [{ e, hashOk }]);
    this.waitingCount++;
    if (this.waitingCount > MAX_WAITING) {
      // Give up on the oldest: decided as if its predecessor never turns up.
      const [hash, oldest] = this.waiting.entries().next().value!;
      const w = oldest.shift()!;
      if (oldest.length === 0) this.waiting.delete(hash);
      this.waitingCount--;
      this.unresolved(w);
    }
  }

  /** No event with the hash this row names as its predecessor exists. */
  private unresolved(w: Waiting): void {
    if (w.hashOk) this.brokenBefore.push(w.e.seq);
    else this.report(w.e.seq, 'edited', `row ${w.e.seq}'s stored hash does not match its content and its prevHash matches no event: fields were changed`);
  }

  /**
   * Each entry is a row that verifies by itself but names a predecessor hash nothing has. A
   * row edited and re-hashed breaks only the link after it; a row rewritten outright (prevHash
   * included) breaks the links on both sides.
   */
  private blameBrokenLinks(): void {
    const broken = new Set(this.brokenBefore);
    for (const s of [...broken].sort((a, b) => a - b)) {
      if (broken.has(s + 1)) {
        this.report(s, 'edited', `row ${s} was rewritten and re-hashed: its prevHash is not row ${s - 1}'s hash and row ${s + 1} does not link to it`);
        broken.delete(s + 1);
      } else {
        this.report(s - 1, 'edited', `row ${s - 1} was changed and its hash recomputed: row ${s} records a different prevHash for it`);
      }
    }
  }
}
