// What every trust-source operation shares: validating a whole source from input, the audit
// trail of refusals, finding a source by name, and the audit view of a source.
import { auditRefusal as auditRefusalIn } from '../../audit/index.ts';
import type { RequestContext } from '../../shared/context.ts';
import { TesseraError, invalid } from '../../shared/errors.ts';
import type { TrustRuntime } from './trust-runtime.ts';
import type { TrustSource } from './types.ts';
import {
  checkAlgorithms, checkAudiences, checkBindings, checkDescription, checkEnvironment, checkInlineJwks, checkIssuer,
  checkJwksFile, checkKind, checkMaxTokenAge, checkUrl,
} from './guardrails.ts';

export type TrustAction = 'trust-source.create' | 'trust-source.update' | 'trust-source.delete';

/** The configurable fields of a source, validated together (some depend on the kind). */
export type SourceFields = Omit<TrustSource, 'id' | 'name' | 'createdAt' | 'createdBy' | 'updatedAt' | 'updatedBy'>;

export const CONFIG_FIELDS = ['kind', 'issuer', 'jwksUri', 'jwks', 'jwksFile', 'algorithms', 'audiences', 'maxTokenAge', 'environment', 'bindings', 'description'];

export function checkSourceFields(body: Record<string, unknown>, trustDomain: string): SourceFields {
  const kind = checkKind(body.kind);
  const issuer = checkIssuer(body.issuer, kind);
  const given = (['jwksUri', 'jwks', 'jwksFile'] as const).filter((f) => body[f] !== undefined && body[f] !== null);
  if (given.length > 1) throw invalid(given[1]!, `give at most one of jwksUri, jwks and jwksFile (${given.join(' and ')} were given)`);
  const jwksUri = body.jwksUri === undefined || body.jwksUri === null ? null : checkUrl(body.jwksUri, 'jwksUri');
  const algorithms = checkAlgorithms(body.algorithms, kind);
  const jwks = body.jwks === undefined || body.jwks === null ? null : checkInlineJwks(body.jwks);
  if (jwks && !jwks.keys.some((k) => algorithms.includes(k.alg as TrustSource['algorithms'][number]))) {
    throw invalid('jwks', `has no key for the allowed algorithms ${algorithms.join(', ')}`);
  }
  const jwksFile = body.jwksFile === undefined || body.jwksFile === null ? null : checkJwksFile(body.jwksFile);
  return {
    kind, issuer, jwksUri, jwks, jwksFile, algorithms,
    audiences: checkAudiences(body.audiences),
    maxTokenAgeSeconds: checkMaxTokenAge(body.maxTokenAge, kind),
    environment: checkEnvironment(body.environment),
    bindings: checkBindings(body.bindings, trustDomain),
    description: checkDescription(body.description),
  };
}

/** Runs an operation; a refusal is recorded as a `denied` audit event and rethrown. */
export function auditRefusal<T>(deps: TrustRuntime, ctx: RequestContext, action: TrustAction, target: () => string | undefined, op: () => Promise<T>): Promise<T> {
  return auditRefusalIn(deps.store, ctx, action, target, op);
}

export function targetOf(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v.slice(0, 128) : undefined;
}

export async function findSource(deps: Pick<TrustRuntime, 'store'>, name: unknown): Promise<TrustSource> {
  if (typeof name !== 'string' || name === '' || name.length > 128) throw invalid('name', 'must be a trust source name');
  const found = await deps.store.trustSources.get(name);
  if (!found) throw new TesseraError('ERR_NOT_FOUND', `name: no trust source ${name}`, { field: 'name', rule: 'must exist' });
  return found;
}

/** The fields recorded in audit events: the whole configuration (it holds no secrets). */
export function sourceAuditView(s: TrustSource): Record<string, unknown> {
  return {
    id: s.id, kind: s.kind, issuer: s.issuer, jwksUri: s.jwksUri, jwks: s.jwks ? `${s.jwks.keys.length} inline keys` : null,
    jwksFile: s.jwksFile, algorithms: s.algorithms, audiences: s.audiences, maxTokenAgeSeconds: s.maxTokenAgeSeconds,
    environment: s.environment, bindings: s.bindings, description: s.description,
  };
}
