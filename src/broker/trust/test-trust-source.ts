import { isTesseraError } from '../../shared/errors.ts';
import { matchBinding, type BindingExplanation } from './match-binding.ts';
import { findSource } from './operation.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import { verifyExternalToken } from './verify-external-token.ts';

export interface TrustTestResult {
  source: string;
  valid: boolean;
  /** Why the token is not valid for this source. */
  error?: string;
  reason?: string;
  claims?: Record<string, unknown>;
  match?: { binding: string; spiffeId: string; identityId: string };
  explanations: BindingExplanation[];
}

/** Dry run: verifies a token against one named source and explains each binding. Changes nothing. */
export async function testTrustSource(deps: TrustRuntime, name: unknown, token: unknown): Promise<TrustTestResult> {
  const source = await findSource(deps, name);
  try {
    const verified = await verifyExternalToken(deps, typeof token === 'string' ? token.trim() : (token as string), deps.compile(source));
    const { match, explanations } = await matchBinding(deps, verified);
    return { source: source.name, valid: true, claims: verified.claims, ...(match ? { match } : {}), explanations };
  } catch (e) {
    if (!isTesseraError(e, 'ERR_INVALID_GRANT')) throw e;
    return { source: source.name, valid: false, error: e.message, reason: String(e.details?.reason ?? ''), explanations: [] };
  }
}
