// What `tessera ca status` and GET /v1/ca show: every key with its state, and when the next
// transitions are due. A pure function of the stored keys, so any server answers the same.
import { formatDuration } from '../shared/duration.ts';
import type { KeyPurpose, StoredKey } from './key-repo.ts';
import { isPublished, keyTimes, type KeyPolicy } from './key-schedule.ts';

export interface CaKeyStatus {
  kid: string;
  purpose: KeyPurpose;
  alg: string;
  status: StoredKey['status'];
  /** Relying parties see it now (JWKS or trust bundle). */
  published: boolean;
  createdAt: string;
  activatedAt: string | null;
  retiredAt: string | null;
  notBefore?: string | undefined;
  notAfter?: string | undefined;
  publishUntil?: string | undefined;
}

export interface CaPurposeStatus {
  active: string | null;
  prepared: string | null;
  /** When the active key's successor is (or was) prepared, and when it takes over. */
  prepareAt: string | null;
  activateAt: string | null;
}

export interface CaStatus {
  trustDomain: string;
  jwtAlg: string;
  svidMaxTtl: string;
  caTtl: string;
  jwtKeyTtl: string;
  /** The CA is an intermediate under an operator-supplied root. */
  intermediate: boolean;
  /** The trust bundle's spiffe_sequence. */
  sequence: number;
  jwt: CaPurposeStatus;
  x509Ca: CaPurposeStatus;
  /** Newest first; keys that are neither in use nor published are left out after the first KEYS_SHOWN. */
  keys: CaKeyStatus[];
}

export interface DescribeCaInput {
  trustDomain: string;
  jwtAlg: string;
  svidMaxTtl: number;
  caTtl: number;
  jwtKeyTtl: number;
  intermediate: boolean;
  sequence: number;
  policy: KeyPolicy;
  now: number;
}

export const KEYS_SHOWN = 20;
const iso = (t: number | null | undefined) => (t === null || t === undefined ? null : new Date(t).toISOString());

function purposeStatus(keys: readonly StoredKey[], purpose: KeyPurpose, policy: KeyPolicy): CaPurposeStatus {
  const active = keys.find((k) => k.purpose === purpose && k.status === 'active');
  const prepared = keys.filter((k) => k.purpose === purpose && k.status === 'prepared').at(-1);
  const t = active ? keyTimes(active, policy) : undefined;
  return { active: active?.kid ?? null, prepared: prepared?.kid ?? null, prepareAt: iso(t?.prepareAt), activateAt: iso(t?.activateAt) };
}

export function describeCa(keys: readonly StoredKey[], input: DescribeCaInput): CaStatus {
  const shown = [...keys].reverse().filter((k, i) => i < KEYS_SHOWN || k.status !== 'retired' || isPublished(k, input.now));
  return {
    trustDomain: input.trustDomain, jwtAlg: input.jwtAlg, svidMaxTtl: formatDuration(input.svidMaxTtl), caTtl: formatDuration(input.caTtl),
    jwtKeyTtl: formatDuration(input.jwtKeyTtl), intermediate: input.intermediate, sequence: input.sequence,
    jwt: purposeStatus(keys, 'jwt', input.policy),
    x509Ca: purposeStatus(keys, 'x509-ca', input.policy),
    keys: shown.map((k) => ({
      kid: k.kid, purpose: k.purpose, alg: k.alg, status: k.status, published: isPublished(k, input.now),
      createdAt: iso(k.createdAt)!, activatedAt: iso(k.activatedAt), retiredAt: iso(k.retiredAt),
      ...(k.notBefore !== undefined ? { notBefore: iso(k.notBefore)! } : {}),
      ...(k.notAfter !== undefined ? { notAfter: iso(k.notAfter)! } : {}),
      ...(k.publishUntil !== undefined ? { publishUntil: iso(k.publishUntil)! } : {}),
    })),
  };
}
