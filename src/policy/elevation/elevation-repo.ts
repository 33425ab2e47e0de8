import type { Tx } from '../../shared/tx.ts';
import type { Elevation } from './types.ts';

/** What elevations need from the store. Every transition is one conditional UPDATE. */
export interface ElevationRepo {
  get(id: string): Promise<Elevation | undefined>;
  /** Newest first. */
  list(filter: { subject?: string | undefined; state?: string | undefined }, limit: number): Promise<Elevation[]>;
  /** Approved, with a window containing `now`. */
  activeFor(subject: string, now: number): Promise<Elevation[]>;
  insert(tx: Tx, e: Elevation): Promise<void>;
  /** requested → approved (window [at, at + duration)); false when it was not in state requested. */
  approve(tx: Tx, id: string, at: number, by: string, reason: string | null): Promise<boolean>;
  /** requested → denied; false when it was not in state requested. */
  deny(tx: Tx, id: string, at: number, by: string, reason: string | null): Promise<boolean>;
  /** requested or approved-and-unexpired → revoked; false otherwise. */
  revoke(tx: Tx, id: string, at: number, by: string): Promise<boolean>;
}
