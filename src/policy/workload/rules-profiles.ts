// Pod Security Standards: kernel security profiles (seccomp, AppArmor, SELinux), /proc mount, sysctls.
import { isObj, listAt, objAt } from './pod-spec.ts';
import type { Rule, Violation } from './rule.ts';

const sc = (o: Record<string, unknown>) => objAt(o, 'securityContext') ?? {};

/** Restricted: RuntimeDefault or Localhost, set on the pod or on every container; Unconfined nowhere. */
const seccomp: Rule = {
  id: 'pss.seccomp',
  title: 'Seccomp',
  description: 'seccompProfile.type must be RuntimeDefault or Localhost on the pod, or on every container; never Unconfined.',
  severity: 'high',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const ok = (t: unknown) => t === 'RuntimeDefault' || t === 'Localhost';
    const podType = objAt(sc(pod.spec), 'seccompProfile')?.['type'];
    const out: Violation[] = [];
    if (podType !== undefined && !ok(podType)) {
      out.push({ message: `pod seccompProfile.type is ${String(podType)}; use RuntimeDefault or Localhost`, path: `${pod.path}.securityContext.seccompProfile.type` });
    }
    for (const { c, path, name } of containers) {
      const t = objAt(sc(c), 'seccompProfile')?.['type'];
      if (t !== undefined ? !ok(t) : !ok(podType)) {
        out.push({ message: `container ${name} has no RuntimeDefault or Localhost seccomp profile (set it on the pod or the container)`, path: `${path}.securityContext.seccompProfile.type` });
      }
    }
    return out;
  },
};

const APPARMOR_ANNOTATION = 'container.apparmor.security.beta.kubernetes.io/';

const appArmor: Rule = {
  id: 'pss.apparmor',
  title: 'AppArmor',
  description: 'AppArmor profiles may only be RuntimeDefault or Localhost (annotations: runtime/default or localhost/*); never unconfined.',
  severity: 'medium',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const ok = (t: unknown) => t === undefined || t === 'RuntimeDefault' || t === 'Localhost';
    const out: Violation[] = [];
    const podType = objAt(sc(pod.spec), 'appArmorProfile')?.['type'];
    if (!ok(podType)) out.push({ message: `pod appArmorProfile.type is ${String(podType)}`, path: `${pod.path}.securityContext.appArmorProfile.type` });
    for (const { c, path, name } of containers) {
      const t = objAt(sc(c), 'appArmorProfile')?.['type'];
      if (!ok(t)) out.push({ message: `container ${name} appArmorProfile.type is ${String(t)}`, path: `${path}.securityContext.appArmorProfile.type` });
    }
    const metaPath = pod.path === 'spec' ? 'metadata' : pod.path.replace(/spec$/, 'metadata');
    for (const [k, v] of Object.entries(pod.annotations)) {
      if (k.startsWith(APPARMOR_ANNOTATION) && v !== 'runtime/default' && !v.startsWith('localhost/')) {
        out.push({ message: `annotation ${k} is ${v}; use runtime/default or localhost/<profile>`, path: `${metaPath}.annotations["${k}"]` });
      }
    }
    return out;
  },
};

const SELINUX_TYPES = new Set(['container_t', 'container_init_t', 'container_kvm_t', 'container_engine_t']);

const seLinux: Rule = {
  id: 'pss.selinux',
  title: 'SELinux',
  description: 'seLinuxOptions.type may only be container_t, container_init_t, container_kvm_t or container_engine_t; user and role must be unset.',
  severity: 'medium',
  mode: 'enforce',
  check({ pod, containers }) {
    if (!pod) return [];
    const out: Violation[] = [];
    const inspect = (holder: Record<string, unknown>, base: string, who: string) => {
      const se = objAt(sc(holder), 'seLinuxOptions');
      if (!se) return;
      if (se['type'] !== undefined && se['type'] !== '' && !SELINUX_TYPES.has(String(se['type']))) {
        out.push({ message: `${who} seLinuxOptions.type ${String(se['type'])} is not allowed`, path: `${base}.securityContext.seLinuxOptions.type` });
      }
      for (const f of ['user', 'role']) {
        if (se[f] !== undefined && se[f] !== '') out.push({ message: `${who} sets seLinuxOptions.${f}`, path: `${base}.securityContext.seLinuxOptions.${f}` });
      }
    };
    inspect(pod.spec, pod.path, 'pod');
    for (const { c, path, name } of containers) inspect(c, path, `container ${name}`);
    return out;
  },
};

const procMount: Rule = {
  id: 'pss.proc-mount',
  title: '/proc mount type',
  description: 'securityContext.procMount must be unset or Default (the masked /proc).',
  severity: 'medium',
  mode: 'enforce',
  check({ containers }) {
    return containers
      .filter(({ c }) => sc(c)['procMount'] !== undefined && sc(c)['procMount'] !== 'Default')
      .map(({ path, name, c }) => ({ message: `container ${name} sets procMount ${String(sc(c)['procMount'])}`, path: `${path}.securityContext.procMount` }));
  },
};

/** The namespaced "safe" sysctls the baseline admits; anything else can affect the whole node. */
const SAFE_SYSCTLS = new Set([
  'kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ip_unprivileged_port_start',
  'net.ipv4.tcp_syncookies', 'net.ipv4.ping_group_range', 'net.ipv4.ip_local_reserved_ports',
  'net.ipv4.tcp_keepalive_time', 'net.ipv4.tcp_fin_timeout', 'net.ipv4.tcp_keepalive_intvl',
  'net.ipv4.tcp_keepalive_probes',
]);

const sysctls: Rule = {
  id: 'pss.sysctls',
  title: 'Sysctls',
  description: 'Only the safe, namespaced sysctls may be set.',
  severity: 'medium',
  mode: 'enforce',
  check({ pod }) {
    if (!pod) return [];
    const out: Violation[] = [];
    listAt(sc(pod.spec), 'sysctls').forEach((s, i) => {
      const name = isObj(s) ? String(s['name']) : String(s);
      if (!SAFE_SYSCTLS.has(name)) out.push({ message: `sysctl ${name} is not in the safe set`, path: `${pod.path}.securityContext.sysctls[${i}].name` });
    });
    return out;
  },
};

export const PROFILE_RULES: readonly Rule[] = [seccomp, appArmor, seLinux, procMount, sysctls];
