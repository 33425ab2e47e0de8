import type { RequestContext } from '../../shared/context.ts';
import { TesseraError } from '../../shared/errors.ts';
import { auditRefusal } from '../exceptions/audit-refusal.ts';
import type { ElevationDeps } from './request-elevation.ts';
import { elevationStatus, type Elevation } from './types.ts';

export const ELEVATION_REVOKE_ACTION = 'elevation.revoke';

/** Ends a pending or running elevation now: by an admin or by its requester. */
export async function revokeElevation(deps: ElevationDeps, ctx: RequestContext, id: string): Promise<Elevation> {
  let target: string | undefined;
  try {
    const found = await deps.store.elevations.get(id);
    if (!found) throw new TesseraError('ERR_NOT_FOUND', `id: no elevation ${id.slice(0, 64)}`, { field: 'id', rule: 'must exist' });
    target = found.subject;
    if (!ctx.actor.roles.includes('admin') && found.requestedBy !== ctx.actor.id) {
      throw new TesseraError('ERR_FORBIDDEN', 'id: only an admin or the requester may revoke an elevation', { field: 'id', rule: 'admin or requester' });
    }
    const now = deps.clock.now();
    await deps.store.write(async (tx) => {
      if (!(await deps.store.elevations.revoke(tx, id, now, ctx.actor.id))) {
        throw new TesseraError('ERR_CONFLICT', `id: elevation ${id} is ${elevationStatus(found, now)}: nothing to revoke`, { field: 'id', rule: 'requested or running' });
      }
      tx.audit(ctx, { action: ELEVATION_REVOKE_ACTION, outcome: 'success', target: found.subject, details: { id, grant: found.grant, was: elevationStatus(found, now) } });
    });
    return (await deps.store.elevations.get(id))!;
  } catch (e) {
    return auditRefusal(deps.store, ctx, ELEVATION_REVOKE_ACTION, target, e);
  }
}
