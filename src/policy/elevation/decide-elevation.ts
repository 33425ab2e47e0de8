// Approve and deny: the two decisions on a request, both by an approver who is not the requester,
// both only from state requested (a denied request cannot be approved later, nor approved twice).
import { checkFields } from '../../shared/check-fields.ts';
import type { RequestContext } from '../../shared/context.ts';
import { TesseraError, invalid } from '../../shared/errors.ts';
import { auditRefusal } from '../exceptions/audit-refusal.ts';
import type { ElevationDeps } from './request-elevation.ts';
import type { Elevation } from './types.ts';

export const ELEVATION_APPROVE_ACTION = 'elevation.approve';
export const ELEVATION_DENY_ACTION = 'elevation.deny';

function checkBody(input: unknown): string | null {
  if (input === undefined || input === null) return null;
  const body = checkFields(input, ['reason']);
  if (body.reason === undefined) return null;
  if (typeof body.reason !== 'string' || body.reason.length > 1024) throw invalid('reason', 'must be a string of at most 1024 characters');
  return body.reason;
}

async function decideRequest(deps: ElevationDeps, ctx: RequestContext, id: string, input: unknown, approve: boolean): Promise<Elevation> {
  const action = approve ? ELEVATION_APPROVE_ACTION : ELEVATION_DENY_ACTION;
  let target: string | undefined;
  try {
    const reason = checkBody(input);
    const found = await deps.store.elevations.get(id);
    if (!found) throw new TesseraError('ERR_NOT_FOUND', `id: no elevation ${id.slice(0, 64)}`, { field: 'id', rule: 'must exist' });
    target = found.subject;
    if (found.requestedBy === ctx.actor.id || found.subject === ctx.actor.id) {
      throw new TesseraError('ERR_SELF_APPROVAL', `id: an elevation is ${approve ? 'approved' : 'denied'} by someone other than its requester and its subject`,
        { field: 'id', rule: 'four eyes' });
    }
    const now = deps.clock.now();
    await deps.store.write(async (tx) => {
      const ok = approve
        ? await deps.store.elevations.approve(tx, id, now, ctx.actor.id, reason)
        : await deps.store.elevations.deny(tx, id, now, ctx.actor.id, reason);
      if (!ok) {
        throw new TesseraError('ERR_CONFLICT', `id: elevation ${id} is ${found.state}, not requested: only a pending request can be ${approve ? 'approved' : 'denied'}`,
          { field: 'id', rule: 'state requested' });
      }
      tx.audit(ctx, {
        action, outcome: 'success', target: found.subject,
        details: {
          id, grant: found.grant, requestedBy: found.requestedBy, ...(reason !== null ? { reason } : {}),
          ...(approve ? { startsAt: new Date(now).toISOString(), expiresAt: new Date(now + found.durationSeconds * 1000).toISOString() } : {}),
        },
      });
    });
    return (await deps.store.elevations.get(id))!;
  } catch (e) {
    return auditRefusal(deps.store, ctx, action, target, e);
  }
}

export const approveElevation = (deps: ElevationDeps, ctx: RequestContext, id: string, input?: unknown) => decideRequest(deps, ctx, id, input, true);
export const denyElevation = (deps: ElevationDeps, ctx: RequestContext, id: string, input?: unknown) => decideRequest(deps, ctx, id, input, false);
