// How two versions of one inventory record are compared: a stable content hash (so an
// unchanged record costs no write), and a field-by-field diff for the ones that did change.
import { createHash } from 'node:crypto';
import type { InventoryRecord, Privilege } from './types.ts';

/** The fields a diff reports, in the order it reports them. */
export const DIFF_FIELDS = [
  'category', 'kind', 'name', 'parentId', 'owner', 'service', 'environment', 'tier', 'createdAt', 'lastRotatedAt',
  'lastUsedAt', 'expiresAt', 'active', 'longLived', 'federated',
] as const;

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v && typeof v === 'object') {
    return Object.fromEntries(Object.keys(v).sort().map((k) => [k, sortKeys((v as Record<string, unknown>)[k])]));
  }
  return v;
}

export const privilegeKey = (p: Privilege) => `${p.action}\u0000${p.resource}`;

/** A record's canonical form: every field present, attributes with sorted keys, lists sorted. */
export function canonical(r: InventoryRecord): InventoryRecord {
  return {
    category: r.category, kind: r.kind, nativeId: r.nativeId, name: r.name, parentId: r.parentId ?? null, owner: r.owner ?? null,
    service: r.service ?? null, environment: r.environment ?? null, tier: r.tier ?? null, createdAt: r.createdAt ?? null,
    lastRotatedAt: r.lastRotatedAt ?? null, lastUsedAt: r.lastUsedAt ?? null, expiresAt: r.expiresAt ?? null, active: r.active,
    longLived: r.longLived, federated: r.federated,
    privileges: [...(r.privileges ?? [])].sort((a, b) => privilegeKey(a).localeCompare(privilegeKey(b))),
    edges: [...(r.edges ?? [])].sort((a, b) => `${a.from}\u0000${a.to}\u0000${a.relation}`.localeCompare(`${b.from}\u0000${b.to}\u0000${b.relation}`)),
    attributes: sortKeys(r.attributes ?? {}) as Record<string, unknown>,
  };
}

export function contentHash(c: InventoryRecord): string {
  return createHash('sha256').update(JSON.stringify(c)).digest('base64url');
}

/** {field: [before, after]} for every field that differs, plus privileges gained and lost. */
export function diffRecords(before: InventoryRecord, after: InventoryRecord): { fields: Record<string, [unknown, unknown]>; gained: Privilege[]; lost: Privilege[] } {
  const fields: Record<string, [unknown, unknown]> = {};
  for (const f of DIFF_FIELDS) {
    const a = before[f] ?? null, b = after[f] ?? null;
    if (a !== b) fields[f] = [a, b];
  }
  if (JSON.stringify(sortKeys(before.attributes ?? {})) !== JSON.stringify(sortKeys(after.attributes ?? {}))) {
    fields.attributes = [before.attributes ?? {}, after.attributes ?? {}];
  }
  const edgeKey = (e: { from: string; to: string; relation: string }) => `${e.from}>${e.relation}>${e.to}`;
  const beforeEdges = new Set((before.edges ?? []).map(edgeKey)), afterEdges = new Set((after.edges ?? []).map(edgeKey));
  const addedEdges = [...afterEdges].filter((e) => !beforeEdges.has(e)), lostEdges = [...beforeEdges].filter((e) => !afterEdges.has(e));
  if (addedEdges.length || lostEdges.length) fields.edges = [lostEdges, addedEdges];
  const had = new Set((before.privileges ?? []).map(privilegeKey)), has = new Set((after.privileges ?? []).map(privilegeKey));
  return {
    fields,
    gained: (after.privileges ?? []).filter((p) => !had.has(privilegeKey(p))),
    lost: (before.privileges ?? []).filter((p) => !has.has(privilegeKey(p))),
  };
}

/** An active credential whose expiry has passed: it should have stopped working but has not. */
export const expiredButActive = (r: { active: boolean; expiresAt?: number | null }, at: number) =>
  r.active && r.expiresAt !== null && r.expiresAt !== undefined && r.expiresAt <= at;
