import type { Clock } from '../../shared/clock.ts';
import { checkFields } from '../../shared/check-fields.ts';
import { ROLES, type RequestContext } from '../../shared/context.ts';
import { formatDuration, parseDuration } from '../../shared/duration.ts';
import { TesseraError, invalid } from '../../shared/errors.ts';
import { uuidv7 } from '../../shared/ids.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import type { PrincipalRepo } from '../../access/principal-repo.ts';
import type { IdentityRepo } from '../../identity/index.ts';
import { auditRefusal } from '../exceptions/audit-refusal.ts';
import type { ElevationRepo } from './elevation-repo.ts';
import type { Elevation, ElevationGrant } from './types.ts';

export interface ElevationDeps {
  store: {
    elevations: ElevationRepo;
    principals: Pick<PrincipalRepo, 'get'>;
    identities: Pick<IdentityRepo, 'getBySpiffeId'>;
    write: UnitOfWork['write'];
  };
  clock: Clock;
}

export const ELEVATION_DURATION_DEFAULT = 3600;
export const ELEVATION_DURATION_MAX = 8 * 3600;
export const ELEVATION_REQUEST_ACTION = 'elevation.request';
const FIELDS = ['subject', 'grant', 'duration', 'reason'];

async function checkSubject(deps: ElevationDeps, ctx: RequestContext, v: unknown): Promise<string> {
  if (typeof v !== 'string' || v.length === 0) throw invalid('subject', 'is required: a SPIFFE ID or a principal id');
  if (v.length > 2048) throw invalid('subject', 'must be at most 2048 characters');
  // A workload (and only that role) may ask for itself alone: it cannot widen another's access.
  const onlyWorkload = ctx.actor.roles.every((r) => r === 'workload');
  if (onlyWorkload && v !== ctx.actor.id) {
    throw new TesseraError('ERR_FORBIDDEN', 'subject: a workload may request elevation only for its own identity', { field: 'subject', rule: 'own identity' });
  }
  const known = v.startsWith('spiffe://') ? await deps.store.identities.getBySpiffeId(v) : await deps.store.principals.get(v);
  if (!known) throw new TesseraError('ERR_NOT_FOUND', `subject: no identity or principal ${v.slice(0, 256)}`, { field: 'subject', rule: 'must exist' });
  return v;
}

function checkGrant(v: unknown): ElevationGrant {
  const g = checkFields(v, ['role', 'audience'], { field: 'grant', required: 'is required: { "role": … } or { "audience": … }' });
  const keys = Object.keys(g);
  if (keys.length !== 1) throw invalid('grant', 'must name exactly one of role or audience');
  if (g.role !== undefined) {
    if (typeof g.role !== 'string' || !(ROLES as readonly string[]).includes(g.role)) throw invalid('grant.role', `must be one of ${ROLES.join(', ')}`);
    return { role: g.role };
  }
  if (typeof g.audience !== 'string' || g.audience.length === 0 || g.audience.length > 2048 || g.audience.includes('*')) {
    throw invalid('grant.audience', 'must be one exact audience (no wildcards), at most 2048 characters');
  }
  return { audience: g.audience };
}

function checkDuration(v: unknown): number {
  if (v === undefined) return ELEVATION_DURATION_DEFAULT;
  const d = parseDuration(v, 'duration');
  if (d > ELEVATION_DURATION_MAX) {
    throw new TesseraError('ERR_INVALID_DURATION', `duration: an elevation lasts at most ${formatDuration(ELEVATION_DURATION_MAX)}`,
      { field: 'duration', rule: `at most ${formatDuration(ELEVATION_DURATION_MAX)}` });
  }
  return d;
}

/** Records a request; nothing is granted until an approver (not the requester) approves it. */
export async function requestElevation(deps: ElevationDeps, ctx: RequestContext, input: unknown): Promise<Elevation> {
  let target: string | undefined;
  try {
    const body = checkFields(input, FIELDS);
    if (typeof body.subject === 'string') target = body.subject.slice(0, 2048);
    const grant = checkGrant(body.grant);
    const durationSeconds = checkDuration(body.duration);
    if (typeof body.reason !== 'string' || body.reason.trim().length === 0) throw invalid('reason', 'is required: say why the elevation is needed');
    if (body.reason.length > 1024) throw invalid('reason', 'must be at most 1024 characters');
    const subject = await checkSubject(deps, ctx, body.subject);
    const now = deps.clock.now();
    const e: Elevation = {
      id: uuidv7(now), subject, grant, durationSeconds, reason: body.reason, state: 'requested', requestedBy: ctx.actor.id, requestedAt: now,
      decidedBy: null, decidedAt: null, decisionReason: null, startsAt: null, expiresAt: null, revokedAt: null, revokedBy: null,
    };
    await deps.store.write(async (tx) => {
      await deps.store.elevations.insert(tx, e);
      tx.audit(ctx, { action: ELEVATION_REQUEST_ACTION, outcome: 'success', target: subject, details: { id: e.id, grant, duration: formatDuration(durationSeconds), reason: e.reason } });
    });
    return e;
  } catch (e) {
    return auditRefusal(deps.store, ctx, ELEVATION_REQUEST_ACTION, target, e);
  }
}
