import { TesseraError } from '../shared/errors.ts';
import { formatDuration } from '../shared/duration.ts';

export interface EffectiveTtlInput {
  /** What the caller asked for, seconds; undefined when it asked for nothing. */
  requested?: number | undefined;
  /** The identity's own maximum credential lifetime (its maxTtlSeconds), seconds. */
  identityMax: number;
  /** The server's policy maximum for any SVID (config svidMaxTtl), seconds. */
  policyMax: number;
  /** The input field named in a refusal. */
  field?: string | undefined;
}

/**
 * The lifetime of any credential Tessera issues (JWT-SVID, X509-SVID): the smallest of what was
 * asked, the identity's maximum and the server's policy maximum. Asking for more than the
 * identity allows is refused (ERR_TTL_ABOVE_TIER_MAX) rather than silently shortened: the
 * identity's maximum is a governance decision the caller should hear about. The policy maximum
 * is an operational cap and shortens quietly (the response carries the real expiry).
 */
export function effectiveTtl(input: EffectiveTtlInput): number {
  const { requested, identityMax, policyMax } = input;
  const field = input.field ?? 'ttl';
  if (requested !== undefined && requested > identityMax) {
    const rule = `this identity allows at most ${formatDuration(identityMax)}`;
    throw new TesseraError('ERR_TTL_ABOVE_TIER_MAX',
      `${field}: ${formatDuration(requested)} is above the identity's maximum: ${rule}`, { field, rule, max: identityMax });
  }
  return Math.min(requested ?? Number.POSITIVE_INFINITY, identityMax, policyMax);
}
