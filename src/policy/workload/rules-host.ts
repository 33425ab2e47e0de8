// Pod Security Standards (baseline, hence also restricted): access to the node itself.
import { isObj, listAt, objAt } from './pod-spec.ts';
import type { Rule, Violation } from './rule.ts';

const hostNamespaces: Rule = {
  id: 'pss.host-namespaces',
  title: 'Host namespaces',
  description: 'hostNetwork, hostPID and hostIPC must be unset or false: sharing them lets a pod see and reach the node.',
  severity: 'high',
  mode: 'enforce',
  check({ pod }) {
    if (!pod) return [];
    const out: Violation[] = [];
    for (const f of ['hostNetwork', 'hostPID', 'hostIPC']) {
      if (pod.spec[f] === true) out.push({ message: `${f} is true; it must be unset or false`, path: `${pod.path}.${f}` });
    }
    return out;
  },
};

const hostPath: Rule = {
  id: 'pss.host-path',
  title: 'HostPath volumes',
  description: 'hostPath volumes are forbidden: they expose the node filesystem.',
  severity: 'high',
  mode: 'enforce',
  check({ pod }) {
    if (!pod) return [];
    const out: Violation[] = [];
    listAt(pod.spec, 'volumes').forEach((v, i) => {
      if (isObj(v) && v['hostPath'] !== undefined) {
        out.push({ message: `volume ${String(v['name'] ?? i)} uses hostPath`, path: `${pod.path}.volumes[${i}].hostPath` });
      }
    });
    return out;
  },
};

const hostPorts: Rule = {
  id: 'pss.host-ports',
  title: 'Host ports',
  description: 'hostPort must be unset or 0 on every container port.',
  severity: 'medium',
  mode: 'enforce',
  check({ containers }) {
    const out: Violation[] = [];
    for (const { c, path, name } of containers) {
      listAt(c, 'ports').forEach((p, i) => {
        if (isObj(p) && p['hostPort'] !== undefined && p['hostPort'] !== 0) {
          out.push({ message: `container ${name} binds hostPort ${String(p['hostPort'])}`, path: `${path}.ports[${i}].hostPort` });
        }
      });
    }
    return out;
  },
};

const hostProcess: Rule = {
  id: 'pss.host-process',
  title: 'Windows HostProcess',
  description: 'windowsOptions.hostProcess must be unset or false (privileged access to a Windows node).',
  severity: 'high',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const out: Violation[] = [];
    const podWin = objAt(objAt(pod.spec, 'securityContext') ?? {}, 'windowsOptions');
    if (podWin?.['hostProcess'] === true) {
      out.push({ message: 'pod runs as a Windows HostProcess', path: `${pod.path}.securityContext.windowsOptions.hostProcess` });
    }
    for (const { c, path, name } of containers) {
      const win = objAt(objAt(c, 'securityContext') ?? {}, 'windowsOptions');
      if (win?.['hostProcess'] === true) {
        out.push({ message: `container ${name} runs as a Windows HostProcess`, path: `${path}.securityContext.windowsOptions.hostProcess` });
      }
    }
    return out;
  },
};

export const HOST_RULES: readonly Rule[] = [hostNamespaces, hostPath, hostPorts, hostProcess];
