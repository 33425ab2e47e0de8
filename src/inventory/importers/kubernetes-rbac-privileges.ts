// Kubernetes RBAC rules as inventory privileges: one privilege per verb × resource (× resource
// name), so a drift report can say exactly which permission a rule change added.
import { TesseraError } from '../../shared/errors.ts';
import type { Privilege } from '../types.ts';

export interface RbacRole {
  /** null for a ClusterRole */
  namespace: string | null;
  name: string;
}

// Verbs that let the holder grant themselves more than they have (RBAC's own escalation checks).
const ESCALATION_VERBS = new Set(['escalate', 'bind', 'impersonate']);
const READ_VERBS = new Set(['get', 'list', 'watch']);

const invalid = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

function strings(value: unknown, field: string): string[] | undefined {
  if (value === undefined || value === null) return undefined;
  if (!Array.isArray(value) || !value.every((v) => typeof v === 'string')) return invalid(field, 'strings', 'must be a list of strings');
  return value as string[];
}

/**
 * The privileges a Role's or ClusterRole's rules grant. Resources are written
 * `namespaces/<ns>/<resource>[.<group>]` or `cluster/<resource>[.<group>]` (kubectl's
 * resource.group notation; the core group has none), narrowed by resourceNames;
 * non-resource URLs as `cluster/nonresource/<path>`.
 */
export function rbacPrivileges(rules: unknown, role: RbacRole, field: string): Privilege[] {
  if (rules === undefined || rules === null) return [];
  if (!Array.isArray(rules)) return invalid(`${field}.rules`, 'list', 'must be a list');
  const prefix = role.namespace === null ? 'cluster/' : `namespaces/${role.namespace}/`;
  const clusterAdmin = role.namespace === null && role.name === 'cluster-admin';
  const out = new Map<string, Privilege>();
  const add = (p: Privilege) => {
    const key = `${p.action}\u0000${p.resource}`;
    const seen = out.get(key);
    if (seen) { seen.wildcard ||= p.wildcard; seen.sensitive ||= p.sensitive; } else out.set(key, p);
  };
  rules.forEach((rule: unknown, j) => {
    const at = `${field}.rules[${j}]`;
    if (rule === null || typeof rule !== 'object' || Array.isArray(rule)) return invalid(at, 'object', 'must be an object');
    const r = rule as Record<string, unknown>;
    const verbs = strings(r.verbs, `${at}.verbs`);
    if (!verbs || verbs.length === 0) return invalid(`${at}.verbs`, 'required', 'is required');
    const resources = strings(r.resources, `${at}.resources`) ?? [];
    const groups = strings(r.apiGroups, `${at}.apiGroups`) ?? [''];
    const names = strings(r.resourceNames, `${at}.resourceNames`) ?? [];
    const urls = strings(r.nonResourceURLs, `${at}.nonResourceURLs`) ?? [];
    for (const verb of verbs) {
      for (const group of groups) {
        for (const res of resources) {
          const slash = res.indexOf('/');
          const base = slash < 0 ? res : res.slice(0, slash);
          const sub = slash < 0 ? null : res.slice(slash + 1);
          // "*" as a group means any group: written without one, and flagged as a wildcard.
          const qualified = group === '' || group === '*' ? base : `${base}.${group}`;
          const full = sub === null ? qualified : `${qualified}/${sub}`;
          const core = group === '' || group === '*';
          const wildcard = verb === '*' || group === '*' || res.includes('*');
          const sensitive = wildcard || clusterAdmin || ESCALATION_VERBS.has(verb)
            || (core && base === 'secrets' && READ_VERBS.has(verb))
            || (core && base === 'pods' && sub === 'exec');
          const paths = names.length === 0 ? [full] : names.map((n) => (sub === null ? `${qualified}/${n}` : `${qualified}/${n}/${sub}`));
          for (const path of paths) add({ action: `${verb} ${full}`, resource: `${prefix}${path}`, wildcard, sensitive });
        }
      }
      for (const url of urls) {
        const wildcard = verb === '*' || url.includes('*');
        add({ action: `${verb} ${url}`, resource: `cluster/nonresource${url.startsWith('/') ? '' : '/'}${url}`, wildcard, sensitive: wildcard || clusterAdmin });
      }
    }
  });
  return [...out.values()];
}
