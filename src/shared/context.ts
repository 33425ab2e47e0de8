// Who is acting and where the request came from: passed into every operation so that the
// audit event it writes names the actor, the request id and the source address.
export type Role = 'admin' | 'approver' | 'auditor' | 'workload';
export const ROLES: readonly Role[] = ['admin', 'approver', 'auditor', 'workload'];

export interface Actor {
  /** principal id, e.g. "admin" or a SPIFFE ID; "system" for the server itself */
  id: string;
  roles: readonly Role[];
  /** Roles held only through an approved just-in-time elevation (for this request's audit trail). */
  elevatedRoles?: readonly Role[];
}

export interface RequestContext {
  actor: Actor;
  requestId?: string | undefined;
  sourceIp?: string | undefined;
}

export const SYSTEM: RequestContext = { actor: { id: 'system', roles: ['admin'] } };
