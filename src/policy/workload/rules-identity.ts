// Tessera's identity rules for workloads: where code comes from, which credentials a pod gets,
// and who answers for it.
import { isObj } from './pod-spec.ts';
import type { Rule, RuleInput, Violation } from './rule.ts';

export const NEEDS_TOKEN_KEY = 'tessera.dev/needs-service-account-token';
export const ENVIRONMENT_LABEL = 'tessera.dev/environment';
const PROD = new Set(['prod', 'production']);

/** Registry and repository of an image reference, Docker Hub made explicit ("nginx" → docker.io/library/nginx). */
export function imageRepository(image: string): string {
  const noDigest = image.split('@')[0] ?? image;
  const lastSlash = noDigest.lastIndexOf('/');
  const colon = noDigest.indexOf(':', lastSlash + 1);
  const name = colon === -1 ? noDigest : noDigest.slice(0, colon);
  const first = name.split('/')[0] ?? '';
  const hasRegistry = name.includes('/') && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (hasRegistry) return name;
  return name.includes('/') ? `docker.io/${name}` : `docker.io/library/${name}`;
}

function approved(image: string, registries: string[]): boolean {
  const repo = imageRepository(image);
  return registries.some((r) => {
    const prefix = r.replace(/\/+$/, '');
    return repo === prefix || repo.startsWith(`${prefix}/`);
  });
}

const approvedRegistry: Rule = {
  id: 'identity.approved-registry',
  title: 'Approved image registries',
  description: 'Every image comes from a configured approved registry (no registries configured: the rule reports nothing).',
  severity: 'high',
  mode: 'enforce',
  check({ containers, approvedRegistries }) {
    if (approvedRegistries.length === 0) return [];
    const out: Violation[] = [];
    for (const { c, path, name } of containers) {
      const image = typeof c['image'] === 'string' ? c['image'] : '';
      if (!approved(image, approvedRegistries)) {
        out.push({ message: `container ${name} image ${image || '(none)'} is not from an approved registry (${approvedRegistries.join(', ')})`, path: `${path}.image` });
      }
    }
    return out;
  },
};

const wantsToken = (i: RuleInput) =>
  i.pod?.labels[NEEDS_TOKEN_KEY] === 'true' || i.pod?.annotations[NEEDS_TOKEN_KEY] === 'true' ||
  i.labels[NEEDS_TOKEN_KEY] === 'true' || i.annotations[NEEDS_TOKEN_KEY] === 'true';

const automountToken: Rule = {
  id: 'identity.automount-token',
  title: 'No automounted service account token',
  description: `automountServiceAccountToken must be false unless the pod declares ${NEEDS_TOKEN_KEY}: "true" (label or annotation).`,
  severity: 'medium',
  mode: 'enforce',
  check(input) {
    const { pod } = input;
    if (!pod || pod.spec['automountServiceAccountToken'] === false || wantsToken(input)) return [];
    return [{ message: `automountServiceAccountToken is not false; set it to false, or declare ${NEEDS_TOKEN_KEY}: "true" if the pod calls the Kubernetes API`, path: `${pod.path}.automountServiceAccountToken` }];
  },
};

/** The environment a workload runs in: its own label first, then what the caller knows of the namespace. */
export function environmentOf(i: RuleInput): string | undefined {
  return i.labels[ENVIRONMENT_LABEL] ?? i.pod?.labels[ENVIRONMENT_LABEL] ?? i.environment;
}

const dedicatedServiceAccount: Rule = {
  id: 'identity.dedicated-service-account',
  title: 'Dedicated service account in prod',
  description: 'A prod workload runs under its own service account, never "default".',
  severity: 'high',
  mode: 'enforce',
  check(input) {
    const { pod } = input;
    const env = environmentOf(input);
    if (!pod || env === undefined || !PROD.has(env)) return [];
    const sa = pod.spec['serviceAccountName'] ?? pod.spec['serviceAccount'];
    if (sa !== undefined && sa !== '' && sa !== 'default') return [];
    return [{ message: `${env} workload uses the default service account; give it a dedicated one`, path: `${pod.path}.serviceAccountName` }];
  },
};

const serviceAccountTokenSecret: Rule = {
  id: 'identity.no-service-account-token-secret',
  title: 'No long-lived service account token Secrets',
  description: 'Secrets of type kubernetes.io/service-account-token hold non-expiring tokens; use projected (bound) tokens instead.',
  severity: 'high',
  mode: 'enforce',
  check({ obj, kind }) {
    if (kind !== 'Secret' || obj['type'] !== 'kubernetes.io/service-account-token') return [];
    return [{ message: 'Secret of type kubernetes.io/service-account-token is a long-lived credential; use a projected token', path: 'type' }];
  },
};

function controlled(obj: Record<string, unknown>): boolean {
  const refs = isObj(obj['metadata']) ? (obj['metadata'] as Record<string, unknown>)['ownerReferences'] : undefined;
  return Array.isArray(refs) && refs.some((r) => isObj(r) && r['controller'] === true);
}

const ownerLabel: Rule = {
  id: 'identity.owner-label',
  title: 'Owner label',
  description: 'Every workload carries an owner label naming who answers for it.',
  severity: 'low',
  mode: 'enforce',
  check({ obj, pod, labels }) {
    if (!pod || (labels['owner'] ?? '').trim() !== '') return [];
    // A pod made by a controller carries its template's labels, not the controller's: the owner
    // label was required of the controller when it was admitted.
    if (controlled(obj)) return [];
    return [{ message: 'workload has no owner label', path: 'metadata.labels.owner' }];
  },
};

export const IDENTITY_RULES: readonly Rule[] = [approvedRegistry, automountToken, dedicatedServiceAccount, serviceAccountTokenSecret, ownerLabel];
