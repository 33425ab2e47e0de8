import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ChainChecker } from '../../src/audit/chain-checker.ts';
import { hashEvent } from '../../src/audit/hash-event.ts';
import { GENESIS_HASH, type AuditEvent } from '../../src/audit/types.ts';

/** A well-formed chain over the given seqs (they may skip, to build a gap). */
function chain(seqs: number[], from = GENESIS_HASH): AuditEvent[] {
  let prev = from;
  return seqs.map((seq) => {
    const e = { seq, id: `id-${seq}`, time: 1_700_000_000_000 + seq, actor: 'a', action: 'x', target: null, outcome: 'success' as const,
      requestId: null, sourceIp: null, details: `{"n":${seq}}`, prevHash: prev };
    prev = hashEvent(e);
    return { ...e, hash: prev };
  });
}
const range = (a: number, b: number) => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const rehash = (e: AuditEvent): AuditEvent => { const { hash: _h, ...rest } = e; return { ...rest, hash: hashEvent(rest) }; };

function check(events: AuditEvent[], opts: ConstructorParameters<typeof ChainChecker>[0] = {}): string[] {
  const c = new ChainChecker(opts);
  for (const e of events) c.push(e);
  return c.finish().map((p) => `${p.seq}:${p.kind}`);
}

describe('ChainChecker', () => {
  it('accepts a well-formed chain', () => {
    assert.deepEqual(check(chain(range(1, 50))), []);
  });

  it('a seq jump whose row still links to its predecessor is a gap (renumbering)', () => {
    assert.deepEqual(check(chain([1, 2, 3, 7, 8])), ['4:gap']);
  });

  it('a row rewritten outright (prevHash too, re-hashed) is named, not its neighbour', () => {
    const events = chain(range(1, 10));
    events[4] = rehash({ ...events[4]!, prevHash: 'f'.repeat(64), actor: 'mallory' });
    assert.deepEqual(check(events), ['5:edited']);
  });

  it('a row whose prevHash field alone was changed is edited', () => {
    const events = chain(range(1, 10));
    events[6] = { ...events[6]!, prevHash: 'e'.repeat(64) };
    assert.deepEqual(check(events), ['7:edited']);
  });

  it('three rows rotated are each named as reordered', () => {
    const events = chain(range(1, 10));
    const [a, b, c] = [events[2]!, events[3]!, events[4]!];
    events[2] = { ...b, seq: 3 }; events[3] = { ...c, seq: 4 }; events[4] = { ...a, seq: 5 };
    assert.deepEqual(check(events), ['3:reordered', '4:reordered', '5:reordered']);
  });

  it('a range starting after genesis checks from the given start', () => {
    const events = chain(range(1, 20));
    const slice = events.slice(9);
    assert.deepEqual(check(slice, { start: { seq: 9, hash: events[8]!.hash } }), []);
    assert.deepEqual(check(slice), ['1:deleted']);
  });

  it('keeps its memory bounded: a swap beyond the window is still caught (as edits)', () => {
    const events = chain(range(1, 60));
    [events[4], events[54]] = [{ ...events[54]!, seq: 5 }, { ...events[4]!, seq: 55 }];
    const found = check(events, { window: 10 });
    assert.deepEqual(found.map((f) => f.split(':')[0]), ['5', '55']);
    assert.ok(found.every((f) => /edited|reordered/.test(f)));
  });
});
