// When keys are prepared, activated and dropped from publication: pure functions over the stored
// keys, so every server sharing a database reaches the same decisions from the same rows.
import type { KeyPurpose, StoredKey } from './key-repo.ts';

export interface KeyPolicy {
  /** How long a JWT key is active before its successor takes over, ms. */
  jwtKeyTtlMs: number;
  /** Longest lifetime of anything a JWT key signs (JWT-SVIDs, access tokens), ms. */
  jwtTokenMaxMs: number;
  /** Longest X509-SVID, ms. */
  svidMaxMs: number;
}

/**
 * Kept published past the nominal expiry of the last token a retired key signed: covers servers
 * that sign with it until their next reload (every 10 s) and clocks that disagree a little.
 */
export const RETIRE_GRACE_MS = 2 * 60_000;

/**
 * After a configuration change, how long the new key is published before it signs: longer than
 * the JWKS and bundle cache lifetime (300 s) Tessera advertises.
 */
export const CONFIG_CHANGE_LEAD_MS = 10 * 60_000;

// SPIRE's thresholds: the successor is prepared at half the active key's life and takes over
// when a sixth of it is left (a CA lives ≥ 6 × the longest SVID, so that sixth covers any SVID).
const PREPARE_AT = 1 / 2;
const ACTIVATE_AT = 5 / 6;

export interface KeyTimes {
  /** When the successor is prepared (published, not yet signing). */
  prepareAt: number;
  /** When the successor becomes the signing key. */
  activateAt: number;
}

/**
 * The schedule that follows from the active key. A CA's life is its certificate's validity. A
 * JWT key has no expiry of its own: its life starts at activation, and its successor is prepared
 * at once — publishing a JWT key early costs nothing, and gives relying parties that cache the
 * JWKS the longest possible notice. (A CA cannot be prepared that early: its certificate's
 * validity starts when it is created.)
 */
export function keyTimes(active: StoredKey, policy: KeyPolicy): KeyTimes {
  if (active.purpose === 'jwt') {
    const start = active.activatedAt ?? active.createdAt;
    return { prepareAt: start, activateAt: start + Math.floor(policy.jwtKeyTtlMs * ACTIVATE_AT) };
  }
  const start = active.notBefore ?? active.createdAt;
  const life = (active.notAfter ?? start) - start;
  return { prepareAt: start + Math.floor(life * PREPARE_AT), activateAt: start + Math.floor(life * ACTIVATE_AT) };
}

/** Until when a key retired at `at` stays published: every token or certificate it signed has expired by then. */
export function publishUntilFor(key: StoredKey, at: number, policy: KeyPolicy): number {
  if (key.purpose === 'jwt') return at + policy.jwtTokenMaxMs + RETIRE_GRACE_MS;
  // No X509-SVID outlives its CA certificate, however long ago the CA was retired.
  const until = at + policy.svidMaxMs + RETIRE_GRACE_MS;
  return key.notAfter === undefined ? until : Math.min(until, key.notAfter);
}

/** Whether relying parties should see the key now (JWKS, bundle). */
export function isPublished(k: StoredKey, now: number): boolean {
  if (k.status === 'retired') return k.publishUntil !== undefined && k.publishUntil > now;
  // An expired CA certificate verifies nothing; it is replaced, and meanwhile not advertised.
  return k.purpose !== 'x509-ca' || k.notAfter === undefined || k.notAfter > now;
}

/** What the keys of a purpose should be like now; a key that differs is replaced. */
export interface Wanted {
  /** Is this key what the configuration asks for (JWT algorithm, CA's trust anchor)? */
  fits(k: StoredKey): boolean;
}

export type Step =
  /** No active key: create one and activate it at once (first start). */
  | { kind: 'bootstrap'; purpose: KeyPurpose }
  /** Publish the successor of the active key. */
  | { kind: 'prepare'; purpose: KeyPurpose }
  /** The prepared key takes over; the active one is retired. */
  | { kind: 'activate'; purpose: KeyPurpose; kid: string; retire: string | undefined }
  /** No usable prepared key when one is due: a fresh key takes over at once. */
  | { kind: 'replace'; purpose: KeyPurpose; retire: string }
  /** A prepared key the configuration no longer wants is withdrawn before it ever signs. */
  | { kind: 'discard'; purpose: KeyPurpose; kid: string };

/** The one step the keys of `purpose` need now, if any. Applied, then planned again. */
export function nextStep(purpose: KeyPurpose, keys: readonly StoredKey[], now: number, policy: KeyPolicy, wanted: Wanted): Step | undefined {
  const mine = keys.filter((k) => k.purpose === purpose);
  const active = mine.find((k) => k.status === 'active');
  const prepared = mine.filter((k) => k.status === 'prepared').at(-1);
  if (prepared && (!wanted.fits(prepared) || !isPublished(prepared, now))) return { kind: 'discard', purpose, kid: prepared.kid };
  if (!active) return prepared ? { kind: 'activate', purpose, kid: prepared.kid, retire: undefined } : { kind: 'bootstrap', purpose };
  // An expired CA signs nothing useful: replace it now.
  if (!isPublished(active, now)) return { kind: 'replace', purpose, retire: active.kid };
  if (!wanted.fits(active)) {
    // The configuration changed (JWT algorithm, operator root): a key that fits is prepared and
    // takes over once relying parties have had time to fetch it.
    if (!prepared) return { kind: 'prepare', purpose };
    return now >= prepared.createdAt + CONFIG_CHANGE_LEAD_MS ? { kind: 'activate', purpose, kid: prepared.kid, retire: active.kid } : undefined;
  }
  const t = keyTimes(active, policy);
  if (now >= t.activateAt) return prepared ? { kind: 'activate', purpose, kid: prepared.kid, retire: active.kid } : { kind: 'replace', purpose, retire: active.kid };
  if (!prepared && now >= t.prepareAt) return { kind: 'prepare', purpose };
  return undefined;
}

/**
 * How often relying parties should re-fetch the trust bundle and JWKS, seconds (the bundle's
 * spiffe_refresh_hint and the Cache-Control max-age): at most 5 minutes, and short enough to be
 * fetched several times between a CA being published and it signing (a third of its life).
 */
export function refreshHintSeconds(caTtlSeconds: number, jwtKeyTtlSeconds: number): number {
  return Math.max(10, Math.min(300, Math.floor(Math.min(caTtlSeconds, jwtKeyTtlSeconds) / 12)));
}
