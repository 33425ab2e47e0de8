// Pod Security Standards: privilege inside the container (privileged, capabilities, escalation, root).
import { objAt } from './pod-spec.ts';
import type { Rule, Violation } from './rule.ts';

const sc = (o: Record<string, unknown>) => objAt(o, 'securityContext') ?? {};

const privileged: Rule = {
  id: 'pss.privileged',
  title: 'Privileged containers',
  description: 'securityContext.privileged must be unset or false: a privileged container disables most isolation.',
  severity: 'high',
  mode: 'enforce',
  check({ containers }) {
    return containers
      .filter(({ c }) => sc(c)['privileged'] === true)
      .map(({ path, name }) => ({ message: `container ${name} is privileged`, path: `${path}.securityContext.privileged` }));
  },
};

/** Restricted: every container drops ALL and may add back only NET_BIND_SERVICE. */
const capabilities: Rule = {
  id: 'pss.capabilities',
  title: 'Capabilities',
  description: 'Containers must drop ALL capabilities and may add only NET_BIND_SERVICE.',
  severity: 'high',
  mode: 'enforce',
  check({ containers }) {
    const out: Violation[] = [];
    for (const { c, path, name } of containers) {
      const caps = objAt(sc(c), 'capabilities') ?? {};
      const drop = Array.isArray(caps['drop']) ? caps['drop'] : [];
      if (!drop.includes('ALL')) {
        out.push({ message: `container ${name} does not drop ALL capabilities`, path: `${path}.securityContext.capabilities.drop` });
      }
      const add = Array.isArray(caps['add']) ? caps['add'] : [];
      add.forEach((cap, i) => {
        if (cap !== 'NET_BIND_SERVICE') {
          out.push({ message: `container ${name} adds capability ${String(cap)}; only NET_BIND_SERVICE may be added`, path: `${path}.securityContext.capabilities.add[${i}]` });
        }
      });
    }
    return out;
  },
};

const privilegeEscalation: Rule = {
  id: 'pss.privilege-escalation',
  title: 'Privilege escalation',
  description: 'securityContext.allowPrivilegeEscalation must be false on every container.',
  severity: 'high',
  mode: 'enforce',
  check({ containers }) {
    return containers
      .filter(({ c }) => sc(c)['allowPrivilegeEscalation'] !== false)
      .map(({ path, name }) => ({ message: `container ${name} does not set allowPrivilegeEscalation: false`, path: `${path}.securityContext.allowPrivilegeEscalation` }));
  },
};

/** Either the pod says runAsNonRoot: true (and no container overrides it to false) or every container does. */
const runAsNonRoot: Rule = {
  id: 'pss.run-as-non-root',
  title: 'Running as non-root',
  description: 'runAsNonRoot must be true on the pod, or on every container; no container may set it to false.',
  severity: 'high',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const podValue = sc(pod.spec)['runAsNonRoot'];
    const out: Violation[] = [];
    if (podValue === false) out.push({ message: 'pod sets runAsNonRoot: false', path: `${pod.path}.securityContext.runAsNonRoot` });
    for (const { c, path, name } of containers) {
      const v = sc(c)['runAsNonRoot'];
      if (v === false || (v === undefined && podValue !== true)) {
        out.push({ message: `container ${name} may run as root: set runAsNonRoot: true on it or on the pod`, path: `${path}.securityContext.runAsNonRoot` });
      }
    }
    return out;
  },
};

const runAsUser: Rule = {
  id: 'pss.run-as-user',
  title: 'Running as non-root user',
  description: 'runAsUser must not be 0, on the pod or any container.',
  severity: 'high',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const out: Violation[] = [];
    if (sc(pod.spec)['runAsUser'] === 0) out.push({ message: 'pod sets runAsUser: 0 (root)', path: `${pod.path}.securityContext.runAsUser` });
    for (const { c, path, name } of containers) {
      if (sc(c)['runAsUser'] === 0) out.push({ message: `container ${name} sets runAsUser: 0 (root)`, path: `${path}.securityContext.runAsUser` });
    }
    return out;
  },
};

export const PRIVILEGE_RULES: readonly Rule[] = [privileged, capabilities, privilegeEscalation, runAsNonRoot, runAsUser];
