// From verified claims to a registered identity: the first binding of the source whose CEL
// condition holds and whose SPIFFE-ID template resolves to a registered, enabled identity that
// the source may vouch for. Each binding says why it matched or not (`tessera trust test`).
import type { TrustRuntime } from './trust-runtime.ts';
import type { VerifiedExternalToken } from './verify-external-token.ts';

export interface BindingExplanation { binding: string; matched: boolean; reason: string }

export interface BindingMatch {
  match?: { binding: string; spiffeId: string; identityId: string };
  explanations: BindingExplanation[];
}

/** Only a source trusted for `prod` binds to a prod identity; other pairs are left to policy. */
const PROD = 'prod';

export async function matchBinding(deps: TrustRuntime, verified: VerifiedExternalToken): Promise<BindingMatch> {
  const { bindings } = deps.compile(verified.source);
  const explanations: BindingExplanation[] = [];
  const no = (binding: string, reason: string) => { explanations.push({ binding, matched: false, reason }); };
  if (bindings.length === 0) return { explanations };
  for (const [i, b] of bindings.entries()) {
    const name = b.binding.name;
    const cond = b.condition(verified.claims);
    if (!cond.matched) { no(name, cond.reason); continue; }
    const rendered = b.template.render(verified.claims);
    if ('error' in rendered) { no(name, `condition is true but the SPIFFE-ID template does not resolve: ${rendered.error}`); continue; }
    const identity = await deps.store.identities.getBySpiffeId(rendered.spiffeId);
    if (!identity) { no(name, `condition is true but ${rendered.spiffeId} is not a registered identity`); continue; }
    if (identity.disabledAt !== null) { no(name, `condition is true but identity ${rendered.spiffeId} is disabled`); continue; }
    if (identity.environment === PROD && verified.source.environment !== PROD) {
      no(name, `condition is true but source ${verified.source.name} is trusted for "${verified.source.environment}", not for prod identity ${rendered.spiffeId}`);
      continue;
    }
    explanations.push({ binding: name, matched: true, reason: `condition is true and ${rendered.spiffeId} is registered` });
    for (const rest of bindings.slice(i + 1)) no(rest.binding.name, `not evaluated: binding ${name} matched first`);
    return { match: { binding: name, spiffeId: rendered.spiffeId, identityId: identity.id }, explanations };
  }
  return { explanations };
}
