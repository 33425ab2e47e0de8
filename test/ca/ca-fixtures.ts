// Shared set-up for CA runtime tests: a real store, a real KEK, a controlled clock.
import { randomBytes } from 'node:crypto';
import { DEFAULTS } from '../../src/config/schema.ts';
import { startCa, type CaConfig, type StartedCa } from '../../src/ca/index.ts';
import type { Clock } from '../../src/shared/clock.ts';
import type { Store } from '../../src/store/index.ts';

export const T0 = Date.UTC(2030, 0, 1);
export const HOUR = 3600_000;

export function caConfig(over: Partial<CaConfig> = {}): CaConfig {
  const { trustDomain, svidMaxTtl, jwtAlg, caTtl, jwtKeyTtl, caRootCert, caRootKey, adminTokenTtl } = DEFAULTS;
  return { trustDomain, svidMaxTtl, jwtAlg, caTtl, jwtKeyTtl, caRootCert, caRootKey, adminTokenTtl, ...over };
}

export function startTestCa(store: Store, clock: Clock, opts: { kek?: Buffer; config?: Partial<CaConfig> } = {}): Promise<StartedCa> {
  return startCa({ config: caConfig(opts.config), store, clock, kek: opts.kek ?? KEK, reloadIntervalMs: 0 });
}

export const KEK = randomBytes(32);

export interface KeyEvent { seq: number; action: string; target: string | null; actor: string; details: Record<string, unknown> }

/** Audit events of the key lifecycle, oldest first. */
export async function keyEvents(store: Store): Promise<KeyEvent[]> {
  const out: KeyEvent[] = [];
  for (const action of ['ca.key.prepare', 'ca.key.activate', 'ca.key.retire']) {
    for (const e of await store.audit.list({ action, limit: 1000 })) {
      out.push({ seq: e.seq, action: e.action, target: e.target, actor: e.actor, details: JSON.parse(e.details) as Record<string, unknown> });
    }
  }
  return out.sort((a, b) => a.seq - b.seq);
}
