// JWT-SVID minting and verification, each against the raw node:crypto operation on the same
// bytes in the same run. Goals (issue 3): signing ≥ 0.7 × raw ES256 sign; verification through
// the SDK path (decode, pinned-algorithm signature check, claim checks) ≥ 0.8 × raw verify.
// The whole issuance operation (identity lookup, signing, durable audit event through the group
// commit) is measured too, for the record.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes, sign, verify } from 'node:crypto';
import { DEFAULTS } from '../src/config/schema.ts';
import { startCa, signerFor, signJwtSvid, mintJwtSvid, verifyJwtSvid, type StartedCa } from '../src/ca/index.ts';
import { createIdentity } from '../src/identity/index.ts';
import { openStore, type Store } from '../src/store/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import type { RequestContext } from '../src/shared/context.ts';
import { formatResult, type BenchResult } from './result.ts';

const ROUND_MS = 300;
const ROUNDS = 7;
const MINT_MS = 2000;
const MINT_WAVE = 256;
const ISSUER = 'https://tessera.bench';
const SPIFFE_ID = 'spiffe://tessera.local/ns/prod/sa/bench';
const ctx: RequestContext = { actor: { id: 'bench', roles: ['admin'] }, requestId: 'bench', sourceIp: '127.0.0.1' };

/** Calls per second of fn for about ms (the clock is read every 64 calls). */
function rate(fn: () => unknown, ms: number): number {
  let n = 0;
  const start = performance.now();
  let now = start;
  while (now - start < ms) {
    for (let i = 0; i < 64; i++) fn();
    n += 64;
    now = performance.now();
  }
  return n / ((now - start) / 1000);
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/**
 * Alternating rounds of the floor and ours, back to back: each round's ratio compares two
 * measurements taken moments apart, and the median over rounds discards the rounds a noisy
 * neighbour disturbed.
 */
function paired(floor: () => unknown, ours: () => unknown): { floor: number; ours: number; ratio: number } {
  const f: number[] = [];
  const o: number[] = [];
  const ratios: number[] = [];
  for (let r = 0; r < ROUNDS; r++) {
    const a = rate(floor, ROUND_MS);
    const b = rate(ours, ROUND_MS);
    f.push(a);
    o.push(b);
    ratios.push(b / a);
  }
  return { floor: median(f), ours: median(o), ratio: median(ratios) };
}

async function mintRate(store: Store, ca: StartedCa): Promise<number> {
  const deps = { store, clock: systemClock, ca, issuer: ISSUER, svidMaxTtl: 3600 };
  const headBefore = (await store.audit.head()).seq;
  let n = 0;
  const start = performance.now();
  while (performance.now() - start < MINT_MS) {
    await Promise.all(Array.from({ length: MINT_WAVE }, () => mintJwtSvid(deps, ctx, { identity: SPIFFE_ID, audience: 'orders', ttl: 300 })));
    n += MINT_WAVE;
  }
  const secs = (performance.now() - start) / 1000;
  // Every token handed out must have its audit event, or the figure means nothing.
  const moved = (await store.audit.head()).seq - headBefore;
  if (moved !== n) throw new Error(`jwt-svid bench: ${n} tokens minted but the audit head moved by ${moved}`);
  return n / secs;
}

export async function benchJwtSvid(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-'));
  const store = await openStore({ dataDir: dir });
  const ca = await startCa({ config: DEFAULTS, store, clock: systemClock, kek: randomBytes(32), reloadIntervalMs: 0 });
  try {
    await createIdentity({ store, clock: systemClock, trustDomain: 'tessera.local' }, ctx,
      { spiffeId: SPIFFE_ID, owner: 'team-bench', environment: 'prod', tier: 1, ttl: '15m' });
    const signer = signerFor(ca.jwtSigner());
    const privateKey = ca.jwtSigner().privateKey;
    const toSign = { issuer: ISSUER, spiffeId: SPIFFE_ID, audience: ['orders'], now: Date.now(), ttlSeconds: 300 };
    const sample = signJwtSvid(signer, toSign).token;
    const input = Buffer.from(sample.slice(0, sample.lastIndexOf('.')), 'ascii');
    const signature = Buffer.from(sample.slice(sample.lastIndexOf('.') + 1), 'base64url');
    const signOpts = { key: privateKey, dsaEncoding: 'ieee-p1363' as const };

    const signing = paired(() => sign('sha256', input, signOpts), () => signJwtSvid(signer, toSign));

    const published = ca.jwtKeys().find((k) => k.kid === signer.kid)!;
    const verifyOpts = { key: published.publicKey, dsaEncoding: 'ieee-p1363' as const };
    const keys = new Map(ca.jwtKeys().map((k) => [k.kid, { alg: k.alg, key: k.publicKey }]));
    const sdk = { key: (kid: string) => keys.get(kid), audience: 'orders', now: Date.now(), issuer: ISSUER, trustDomain: 'tessera.local' };
    if (!verifyJwtSvid(sample, sdk).ok || !verify('sha256', input, verifyOpts, signature)) throw new Error('jwt-svid bench: the sample does not verify');
    const verifying = paired(() => verify('sha256', input, verifyOpts, signature), () => verifyJwtSvid(sample, sdk));

    const minting = await mintRate(store, ca);
    const raw = 'raw ES256 sign (same bytes)';
    return [
      { name: 'jwt-svid: raw node:crypto ES256 sign', value: signing.floor, unit: 'sig/s' },
      { name: 'jwt-svid: sign (claims, jti, encoding, ES256)', value: signing.ours, unit: 'tokens/s', ratio: signing.ratio, against: raw },
      { name: 'jwt-svid: mintJwtSvid (lookup + sign + durable audit, SQLite, 256 in flight)', value: minting, unit: 'tokens/s', ratio: minting / signing.floor, against: raw },
      { name: 'jwt-svid: raw node:crypto ES256 verify', value: verifying.floor, unit: 'verifications/s' },
      { name: 'jwt-svid: verifyJwtSvid (SDK path)', value: verifying.ours, unit: 'verifications/s', ratio: verifying.ratio, against: 'raw ES256 verify (same bytes)' },
    ];
  } finally {
    ca.close();
    await store.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

if (import.meta.main) {
  for (const r of await benchJwtSvid()) console.log(formatResult(r));
}
