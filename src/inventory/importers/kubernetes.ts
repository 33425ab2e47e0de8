// Kubernetes: the `v1 List` kubectl prints for service accounts, secrets and RBAC objects.
// Service accounts and legacy service-account-token Secrets are emitted as they stream past;
// Roles, ClusterRoles and bindings are few, so they are kept and emitted at the end with each
// binding's edges attached to the role it grants (bindings and roles come in any order).
// kubectl writes keys alphabetically, so `kind: List` only arrives after the items.
import { TesseraError } from '../../shared/errors.ts';
import type { Edge, Importer, ImportOptions, ImportRun, InventoryRecord, Privilege } from '../types.ts';
import { jsonElements } from './json-elements.ts';
import { ownershipFromTags, type Ownership } from './ownership-from-tags.ts';
import { parseExportTime } from './parse-export-time.ts';
import { rbacPrivileges } from './kubernetes-rbac-privileges.ts';

const PRODUCED_BY = 'kubectl get serviceaccounts,secrets,roles,clusterroles,rolebindings,clusterrolebindings -A -o json > k8s.json';
const KINDS = new Set(['ServiceAccount', 'Secret', 'Role', 'ClusterRole', 'RoleBinding', 'ClusterRoleBinding']);
const NAMESPACED = new Set(['ServiceAccount', 'Secret', 'Role', 'RoleBinding']);
const TOKEN_TYPE = 'kubernetes.io/service-account-token';
// Set by the API server's legacy token tracking and clean-up (Kubernetes 1.26+ / 1.29+).
const LAST_USED_LABEL = 'kubernetes.io/legacy-token-last-used';
const INVALID_SINCE_LABEL = 'kubernetes.io/legacy-token-invalid-since';
// Holds the whole object as last applied, data of Secrets included: never kept.
const LAST_APPLIED = 'kubectl.kubernetes.io/last-applied-configuration';
const APP_NAME_LABEL = 'app.kubernetes.io/name';
const TESSERA_PREFIX = 'tessera.dev/';
const ENV_WORDS = new Set(['prod', 'production', 'staging', 'stage', 'dev', 'development', 'qa', 'test', 'sandbox']);

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

interface Meta {
  kind: string;
  name: string;
  namespace: string | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  createdAt: number | null;
  own: Ownership;
}

function stringMap(value: unknown, field: string): Record<string, string> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value) || !Object.values(value).every((v) => typeof v === 'string')) {
    return fail(field, 'string-map', 'must be a map of strings');
  }
  return value as Record<string, string>;
}

/** tessera.dev/ keys are set for Tessera on purpose, so they beat generic ones such as `team`. */
function ownership(metadata: Record<string, string>): Ownership {
  const ours = ownershipFromTags(Object.fromEntries(Object.entries(metadata).filter(([k]) => k.toLowerCase().startsWith(TESSERA_PREFIX))));
  const any = ownershipFromTags(metadata);
  return { owner: ours.owner ?? any.owner, service: ours.service ?? any.service, environment: ours.environment ?? any.environment, tier: ours.tier ?? any.tier };
}

/** "prod", "payments-prod", "staging-eu" name an environment; "kube-system" does not. */
function envFromNamespace(ns: string | null): string | null {
  if (ns === null) return null;
  if (ENV_WORDS.has(ns)) return ns;
  return ns.split(/[-_.]/).find((t) => ENV_WORDS.has(t)) ?? null;
}

function readMeta(item: unknown, at: string): Meta {
  if (item === null || typeof item !== 'object' || Array.isArray(item)) return fail(at, 'object', 'must be an object');
  const o = item as Record<string, unknown>;
  const kind = typeof o.kind === 'string' ? o.kind : JSON.stringify(o.kind ?? null);
  if (!KINDS.has(kind)) {
    return fail(`${at}.kind`, 'kind', `is ${kind}: not a Kubernetes List of service accounts, secrets and RBAC objects (produce it with: ${PRODUCED_BY})`);
  }
  const m = o.metadata as Record<string, unknown> | undefined;
  if (m === null || typeof m !== 'object' || Array.isArray(m)) return fail(`${at}.metadata`, 'required', 'is required');
  if (typeof m.name !== 'string' || m.name === '') return fail(`${at}.metadata.name`, 'required', 'is required');
  let namespace: string | null = null;
  if (NAMESPACED.has(kind)) {
    if (typeof m.namespace !== 'string' || m.namespace === '') return fail(`${at}.metadata.namespace`, 'required', `is required for a ${kind}`);
    namespace = m.namespace;
  }
  const labels = stringMap(m.labels, `${at}.metadata.labels`);
  const annotations = { ...stringMap(m.annotations, `${at}.metadata.annotations`) };
  delete annotations[LAST_APPLIED];
  const own = ownership({ ...annotations, ...labels }); // a label wins over an annotation of the same key
  own.service ??= labels[APP_NAME_LABEL] ?? annotations[APP_NAME_LABEL] ?? null;
  own.environment ??= envFromNamespace(namespace);
  return { kind, name: m.name, namespace, labels, annotations, createdAt: parseExportTime(m.creationTimestamp, `${at}.metadata.creationTimestamp`), own };
}

/** Labels and annotations worth keeping, leaving out empty maps. */
const metaAttributes = (meta: Meta): Record<string, unknown> => ({
  ...(meta.namespace === null ? {} : { namespace: meta.namespace }),
  ...(Object.keys(meta.labels).length ? { labels: meta.labels } : {}),
  ...(Object.keys(meta.annotations).length ? { annotations: meta.annotations } : {}),
});

const base = (meta: Meta) => ({
  name: meta.namespace === null ? meta.name : `${meta.namespace}/${meta.name}`,
  owner: meta.own.owner, service: meta.own.service, environment: meta.own.environment, tier: meta.own.tier,
  createdAt: meta.createdAt, lastRotatedAt: null,
});

interface BufferedRole {
  nativeId: string;
  meta: Meta;
  privileges: Privilege[];
  aggregated: boolean;
}

export const kubernetes: Importer = {
  source: 'kubernetes',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    const cluster = opts.scope?.trim() || 'default';
    const root = `k8s://${cluster}`;
    const saId = (ns: string, name: string) => `${root}/namespaces/${ns}/serviceaccounts/${name}`;
    const roleId = (ns: string | null, name: string) => (ns === null ? `${root}/clusterroles/${name}` : `${root}/namespaces/${ns}/roles/${name}`);

    async function* records(): AsyncGenerator<InventoryRecord> {
      const run = jsonElements(input, { arrays: ['items'], what: 'the Kubernetes List', maxElementBytes: 8 * 1024 * 1024 });
      const seen = new Set<string>();
      const roles: BufferedRole[] = [];
      // Edges of every binding, by the role they grant (insertion order = first reference).
      const edgesByRole = new Map<string, { edges: Edge[]; keys: Set<string> }>();
      let i = 0;
      for await (const el of run.elements) {
        const at = `items[${i}]`;
        if (el.key !== 'items') {
          fail('kind', 'not-a-list', `the file is not a Kubernetes List (it has ${el.key === '' ? 'a top-level array' : `a "${el.key}" array`}); produce it with: ${PRODUCED_BY}`);
        }
        const meta = readMeta(el.value, at);
        const item = el.value as Record<string, unknown>;
        const id = meta.kind === 'ServiceAccount' ? saId(meta.namespace!, meta.name)
          : meta.kind === 'Role' || meta.kind === 'ClusterRole' ? roleId(meta.namespace, meta.name)
          : `${root}/${meta.namespace === null ? '' : `namespaces/${meta.namespace}/`}${meta.kind.toLowerCase()}s/${meta.name}`;
        if (seen.has(id)) fail(at, 'duplicate', `${meta.kind} ${base(meta).name} appears twice in the list`);
        seen.add(id);
        i++;
        if (meta.kind === 'ServiceAccount') {
          yield {
            category: 'identity', kind: 'service-account', nativeId: id, ...base(meta), parentId: null,
            lastUsedAt: null, expiresAt: null, active: true, longLived: false, federated: false,
            attributes: {
              ...metaAttributes(meta),
              ...(typeof item.automountServiceAccountToken === 'boolean' ? { automountServiceAccountToken: item.automountServiceAccountToken } : {}),
            },
          };
        } else if (meta.kind === 'Secret') {
          // Only bearer tokens of service accounts are machine credentials; other Secrets are app data.
          if (item.type !== TOKEN_TYPE) continue;
          const sa = meta.annotations['kubernetes.io/service-account.name'];
          const invalidSince = parseExportTime(meta.labels[INVALID_SINCE_LABEL], `${at}.metadata.labels["${INVALID_SINCE_LABEL}"]`);
          yield {
            category: 'credential', kind: 'token', nativeId: id, ...base(meta),
            parentId: sa ? saId(meta.namespace!, sa) : null,
            lastUsedAt: parseExportTime(meta.labels[LAST_USED_LABEL], `${at}.metadata.labels["${LAST_USED_LABEL}"]`),
            expiresAt: null, active: invalidSince === null, longLived: true, federated: false,
            attributes: { ...metaAttributes(meta), ...(sa ? { serviceAccount: sa } : {}) },
          };
        } else if (meta.kind === 'Role' || meta.kind === 'ClusterRole') {
          roles.push({ nativeId: id, meta, privileges: rbacPrivileges(item.rules, meta, at), aggregated: item.aggregationRule !== undefined && item.aggregationRule !== null });
        } else {
          for (const edge of bindingEdges(item, meta, at)) {
            let entry = edgesByRole.get(edge.to);
            if (!entry) edgesByRole.set(edge.to, entry = { edges: [], keys: new Set() });
            if (!entry.keys.has(edge.from)) { entry.keys.add(edge.from); entry.edges.push(edge); }
          }
        }
      }
      if (run.rootType() !== 'object' || run.top.kind !== 'List' || run.top.apiVersion !== 'v1') {
        const kind = run.top.kind === undefined ? 'no kind' : `kind ${JSON.stringify(run.top.kind)}`;
        fail('kind', 'not-a-list', `the file is not a Kubernetes v1 List (${kind}); produce it with: ${PRODUCED_BY}`);
      }
      for (const r of roles) {
        const edges = edgesByRole.get(r.nativeId)?.edges ?? [];
        edgesByRole.delete(r.nativeId);
        yield {
          category: 'identity', kind: 'permission-set', nativeId: r.nativeId, ...base(r.meta), parentId: null,
          lastUsedAt: null, expiresAt: null, active: true, longLived: false, federated: false,
          privileges: r.privileges, edges,
          attributes: { ...metaAttributes(r.meta), clusterRole: r.meta.namespace === null, ...(r.aggregated ? { aggregated: true } : {}) },
        };
      }
      // A binding to a role the export does not hold (not readable, or deleted after binding)
      // still grants whatever that role gets later: keep the edge on a placeholder role.
      for (const [to, { edges }] of edgesByRole) {
        const m = /\/namespaces\/([^/]+)\/roles\/(.+)$/.exec(to) ?? /\/clusterroles\/(.+)$/.exec(to)!;
        const namespace = m.length === 3 ? m[1]! : null;
        const name = m[m.length - 1]!;
        yield {
          category: 'identity', kind: 'permission-set', nativeId: to, name: namespace === null ? name : `${namespace}/${name}`, parentId: null,
          owner: null, service: null, environment: envFromNamespace(namespace), tier: null,
          createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null, active: true, longLived: false, federated: false,
          privileges: [], edges,
          attributes: { ...(namespace === null ? {} : { namespace }), clusterRole: namespace === null, notInExport: true },
        };
      }
    }

    /** subject → role ('bound-to') for every subject of a RoleBinding or ClusterRoleBinding. */
    function bindingEdges(item: Record<string, unknown>, meta: Meta, at: string): Edge[] {
      const ref = item.roleRef as Record<string, unknown> | undefined;
      if (ref === null || typeof ref !== 'object' || typeof ref.name !== 'string' || ref.name === '') return fail(`${at}.roleRef.name`, 'required', 'is required');
      if (ref.kind !== 'ClusterRole' && !(ref.kind === 'Role' && meta.kind === 'RoleBinding')) {
        return fail(`${at}.roleRef.kind`, 'kind', `must be ${meta.kind === 'RoleBinding' ? 'Role or ClusterRole' : 'ClusterRole'}`);
      }
      const to = roleId(ref.kind === 'Role' ? meta.namespace : null, ref.name);
      const subjects = item.subjects ?? [];
      if (!Array.isArray(subjects)) return fail(`${at}.subjects`, 'list', 'must be a list');
      return subjects.map((s: unknown, k): Edge => {
        const sat = `${at}.subjects[${k}]`;
        const subject = (s ?? {}) as Record<string, unknown>;
        if (typeof subject.name !== 'string' || subject.name === '') return fail(`${sat}.name`, 'required', 'is required');
        if (subject.kind === 'ServiceAccount') {
          // In a RoleBinding an SA subject without a namespace means the binding's own namespace.
          const ns = typeof subject.namespace === 'string' && subject.namespace !== '' ? subject.namespace : meta.namespace;
          if (ns === null) return fail(`${sat}.namespace`, 'required', 'is required for a ServiceAccount subject of a ClusterRoleBinding');
          return { from: saId(ns, subject.name), to, relation: 'bound-to' };
        }
        if (subject.kind === 'User') return { from: `${root}/users/${subject.name}`, to, relation: 'bound-to' };
        if (subject.kind === 'Group') return { from: `${root}/groups/${subject.name}`, to, relation: 'bound-to' };
        return fail(`${sat}.kind`, 'kind', 'must be ServiceAccount, User or Group');
      });
    }

    return { records: records(), scope: () => cluster };
  },
};
