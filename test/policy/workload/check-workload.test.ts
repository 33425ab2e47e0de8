import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkWorkload, RULES, type CheckOptions, type Finding } from '../../../src/policy/workload/index.ts';
import { manifest } from './fixtures.ts';

const NOW = Date.UTC(2026, 0, 1);
const opts = (o: Partial<CheckOptions> = {}): CheckOptions => ({ now: NOW, ...o });
const rulesOf = (fs: Finding[]) => [...new Set(fs.map((f) => f.rule))].sort();
const at = (fs: Finding[], rule: string) => fs.filter((f) => f.rule === rule).map((f) => f.path);

test('every rule has an id, a title, a description, a severity and a default mode', () => {
  assert.ok(RULES.length >= 20);
  assert.equal(new Set(RULES.map((r) => r.id)).size, RULES.length);
  for (const r of RULES) {
    assert.ok(r.title && r.description, r.id);
    assert.ok(['high', 'medium', 'low'].includes(r.severity), r.id);
    assert.ok(['enforce', 'warn', 'audit'].includes(r.mode), r.id);
  }
});

for (const file of ['pod-compliant.yaml', 'deployment-compliant.yaml', 'statefulset-compliant.yaml', 'cronjob-compliant.yaml', 'job-compliant.yaml', 'daemonset-compliant.yaml']) {
  test(`${file} is restricted-compliant, with identity rules on and prod environment`, () => {
    const r = checkWorkload(manifest(file), opts({ approvedRegistries: ['ghcr.io/acme', 'registry.example.com'], environment: 'prod' }));
    assert.deepEqual(r.findings, []);
    assert.ok(r.kind && r.name);
  });
}

test('kind, name and namespace of the object are reported', () => {
  const r = checkWorkload(manifest('deployment-compliant.yaml'), opts());
  assert.deepEqual([r.kind, r.name, r.namespace], ['Deployment', 'orders', 'shop']);
});

test('a privileged pod is found with the exact path of the field', () => {
  const r = checkWorkload(manifest('pod-privileged.yaml'), opts());
  assert.deepEqual(rulesOf(r.findings), ['pss.privileged']);
  assert.deepEqual(at(r.findings, 'pss.privileged'), ['spec.containers[0].securityContext.privileged']);
  assert.equal(r.findings[0]!.severity, 'high');
  assert.equal(r.findings[0]!.mode, 'enforce');
});

test('host namespaces, host ports and HostProcess in a DaemonSet', () => {
  const fs = checkWorkload(manifest('daemonset-violating.yaml'), opts()).findings;
  assert.deepEqual(rulesOf(fs), ['pss.host-namespaces', 'pss.host-ports', 'pss.host-process']);
  assert.deepEqual(at(fs, 'pss.host-namespaces'), ['spec.template.spec.hostNetwork', 'spec.template.spec.hostPID', 'spec.template.spec.hostIPC']);
  assert.deepEqual(at(fs, 'pss.host-ports'), ['spec.template.spec.containers[0].ports[0].hostPort']);
  assert.deepEqual(at(fs, 'pss.host-process'), ['spec.template.spec.securityContext.windowsOptions.hostProcess']);
});

test('the violating Deployment trips each restricted rule it breaks, each at its field', () => {
  const fs = checkWorkload(manifest('deployment-violating.yaml'), opts({ approvedRegistries: ['ghcr.io/acme'] })).findings;
  const c = 'spec.template.spec.containers[0]';
  assert.deepEqual(at(fs, 'pss.host-path'), ['spec.template.spec.volumes[0].hostPath']);
  assert.deepEqual(at(fs, 'pss.volume-types'), ['spec.template.spec.volumes[1].nfs']);
  assert.deepEqual(at(fs, 'pss.capabilities'), [`${c}.securityContext.capabilities.drop`, `${c}.securityContext.capabilities.add[0]`]);
  assert.deepEqual(at(fs, 'pss.privilege-escalation'), [`${c}.securityContext.allowPrivilegeEscalation`]);
  assert.deepEqual(at(fs, 'pss.run-as-non-root'), [`${c}.securityContext.runAsNonRoot`]);
  assert.deepEqual(at(fs, 'pss.run-as-user'), ['spec.template.spec.securityContext.runAsUser']);
  assert.deepEqual(at(fs, 'pss.seccomp'), [`${c}.securityContext.seccompProfile.type`]);
  assert.deepEqual(at(fs, 'pss.sysctls'), ['spec.template.spec.securityContext.sysctls[0].name']);
  assert.deepEqual(at(fs, 'pss.selinux'), ['spec.template.spec.securityContext.seLinuxOptions.type']);
  assert.deepEqual(at(fs, 'pss.proc-mount'), [`${c}.securityContext.procMount`]);
  assert.deepEqual(at(fs, 'pss.apparmor'), ['spec.template.metadata.annotations["container.apparmor.security.beta.kubernetes.io/legacy"]']);
  assert.deepEqual(at(fs, 'identity.approved-registry'), [`${c}.image`]);
  assert.deepEqual(at(fs, 'identity.owner-label'), ['metadata.labels.owner']);
  assert.deepEqual(at(fs, 'identity.automount-token'), ['spec.template.spec.automountServiceAccountToken']);
  assert.ok(!fs.some((f) => f.rule === 'pss.privileged'));
});

test('CronJob pod specs are found under jobTemplate: root user and Unconfined seccomp', () => {
  const fs = checkWorkload(manifest('cronjob-violating.yaml'), opts()).findings;
  const p = 'spec.jobTemplate.spec.template.spec';
  assert.deepEqual(rulesOf(fs), ['pss.run-as-non-root', 'pss.run-as-user', 'pss.seccomp']);
  assert.deepEqual(at(fs, 'pss.run-as-user'), [`${p}.containers[0].securityContext.runAsUser`]);
  assert.deepEqual(at(fs, 'pss.seccomp'), [`${p}.securityContext.seccompProfile.type`, `${p}.containers[0].securityContext.seccompProfile.type`]);
  assert.deepEqual(at(fs, 'pss.run-as-non-root'), [`${p}.securityContext.runAsNonRoot`, `${p}.containers[0].securityContext.runAsNonRoot`]);
});

test('per-container settings count only for the container that has them', () => {
  const fs = checkWorkload(manifest('job-violating.yaml'), opts()).findings;
  const p = 'spec.template.spec.containers[1].securityContext';
  assert.deepEqual(fs.map((f) => f.path).sort(), [`${p}.runAsNonRoot`, `${p}.seccompProfile.type`]);
});

test('initContainers and ephemeralContainers are checked like containers', () => {
  const pod = manifest('pod-compliant.yaml') as { spec: Record<string, unknown> };
  pod.spec['initContainers'] = [{ name: 'init', image: 'ghcr.io/acme/init:1', securityContext: { privileged: true, allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'] } } }];
  pod.spec['ephemeralContainers'] = [{ name: 'dbg', image: 'ghcr.io/acme/dbg:1', securityContext: { allowPrivilegeEscalation: false, capabilities: { drop: ['ALL'], add: ['SYS_PTRACE'] } } }];
  const fs = checkWorkload(pod, opts()).findings;
  assert.deepEqual(fs.map((f) => `${f.rule} ${f.path}`), [
    'pss.privileged spec.initContainers[0].securityContext.privileged',
    'pss.capabilities spec.ephemeralContainers[0].securityContext.capabilities.add[0]',
  ]);
});

test('SELinux user/role, AppArmor profile field, unsafe procMount values', () => {
  const pod = manifest('pod-compliant.yaml') as { spec: { containers: Record<string, unknown>[]; securityContext: Record<string, unknown> } };
  pod.spec.securityContext['seLinuxOptions'] = { type: 'container_t', user: 'system_u', role: 'system_r' };
  pod.spec.containers[0]!['securityContext'] = { ...(pod.spec.containers[0]!['securityContext'] as object), appArmorProfile: { type: 'Unconfined' } };
  const fs = checkWorkload(pod, opts()).findings;
  assert.deepEqual(fs.map((f) => `${f.rule} ${f.path}`), [
    'pss.apparmor spec.containers[0].securityContext.appArmorProfile.type',
    'pss.selinux spec.securityContext.seLinuxOptions.user',
    'pss.selinux spec.securityContext.seLinuxOptions.role',
  ]);
});

test('all safe sysctls and Localhost AppArmor pass', () => {
  const pod = manifest('pod-compliant.yaml') as { metadata: { annotations?: Record<string, string> }; spec: { securityContext: Record<string, unknown> } };
  pod.spec.securityContext['sysctls'] = ['kernel.shm_rmid_forced', 'net.ipv4.ip_local_port_range', 'net.ipv4.ping_group_range'].map((name) => ({ name, value: '1' }));
  pod.metadata.annotations = { 'container.apparmor.security.beta.kubernetes.io/web': 'localhost/k8s-web' };
  assert.deepEqual(checkWorkload(pod, opts()).findings, []);
});

test('approved registries: none configured reports nothing; Docker Hub short names are docker.io/library', () => {
  const dep = manifest('deployment-violating.yaml');
  assert.deepEqual(at(checkWorkload(dep, opts()).findings, 'identity.approved-registry'), []);
  assert.deepEqual(at(checkWorkload(dep, opts({ approvedRegistries: ['docker.io/library'] })).findings, 'identity.approved-registry'), []);
  // A prefix is a path boundary: ghcr.io/acme does not approve ghcr.io/acme-evil.
  const pod = manifest('pod-compliant.yaml') as { spec: { containers: { image: string }[] } };
  pod.spec.containers[0]!.image = 'ghcr.io/acme-evil/web:1';
  assert.equal(at(checkWorkload(pod, opts({ approvedRegistries: ['ghcr.io/acme'] })).findings, 'identity.approved-registry').length, 1);
  pod.spec.containers[0]!.image = 'ghcr.io/acme/web@sha256:' + 'a'.repeat(64);
  assert.equal(at(checkWorkload(pod, opts({ approvedRegistries: ['ghcr.io/acme'] })).findings, 'identity.approved-registry').length, 0);
});

test('automountServiceAccountToken: a label or annotation saying the pod needs it lifts the rule', () => {
  const pod = manifest('pod-compliant.yaml') as { metadata: Record<string, unknown>; spec: Record<string, unknown> };
  delete pod.spec['automountServiceAccountToken'];
  assert.deepEqual(at(checkWorkload(pod, opts()).findings, 'identity.automount-token'), ['spec.automountServiceAccountToken']);
  pod.metadata['annotations'] = { 'tessera.dev/needs-service-account-token': 'true' };
  assert.deepEqual(checkWorkload(pod, opts()).findings, []);
  pod.spec['automountServiceAccountToken'] = true;
  pod.metadata['annotations'] = { 'tessera.dev/needs-service-account-token': 'false' };
  assert.equal(at(checkWorkload(pod, opts()).findings, 'identity.automount-token').length, 1);
});

test('default service account is refused in prod only (label or caller-supplied environment)', () => {
  const sts = manifest('statefulset-default-sa-prod.yaml');
  const fs = checkWorkload(sts, opts()).findings;
  assert.deepEqual(at(fs, 'identity.dedicated-service-account'), ['spec.template.spec.serviceAccountName']);
  const dev = manifest('statefulset-default-sa-prod.yaml') as { metadata: { labels: Record<string, string> } };
  delete dev.metadata.labels['tessera.dev/environment'];
  assert.deepEqual(at(checkWorkload(dev, opts()).findings, 'identity.dedicated-service-account'), []);
  assert.deepEqual(at(checkWorkload(dev, opts({ environment: 'dev' })).findings, 'identity.dedicated-service-account'), []);
  assert.equal(at(checkWorkload(dev, opts({ environment: 'prod' })).findings, 'identity.dedicated-service-account').length, 1);
});

test('a service-account-token Secret is refused; other objects without pods have no findings', () => {
  const r = checkWorkload(manifest('secret-service-account-token.yaml'), opts());
  assert.deepEqual(r.findings.map((f) => [f.rule, f.path]), [['identity.no-service-account-token-secret', 'type']]);
  assert.deepEqual(checkWorkload(manifest('service.yaml'), opts()).findings, []);
  assert.deepEqual(checkWorkload({ kind: 'Widget', metadata: { name: 'x' }, spec: { containers: [{ privileged: true }] } }, opts()).findings, []);
  assert.deepEqual(checkWorkload('not an object', opts()), { kind: '', name: '', findings: [] });
  assert.deepEqual(checkWorkload(null, opts()).findings, []);
});

test('modes can be overridden per rule', () => {
  const fs = checkWorkload(manifest('pod-privileged.yaml'), opts({ modes: { 'pss.privileged': 'warn' } })).findings;
  assert.deepEqual(fs.map((f) => f.mode), ['warn']);
});

test('an active exception marks matching findings excepted; expired or out-of-scope ones do not', () => {
  const base = { name: 'debug-ok', policy: 'pss.privileged', scope: { namespace: 'shop', name: 'debug-*' }, expiresAt: NOW + 1000 };
  const pod = manifest('pod-privileged.yaml');
  assert.equal(checkWorkload(pod, opts({ exceptions: [base] })).findings[0]!.excepted, 'debug-ok');
  assert.equal(checkWorkload(pod, opts({ exceptions: [{ ...base, expiresAt: NOW }] })).findings[0]!.excepted, undefined);
  assert.equal(checkWorkload(pod, opts({ exceptions: [{ ...base, scope: { namespace: 'other' } }] })).findings[0]!.excepted, undefined);
  assert.equal(checkWorkload(pod, opts({ exceptions: [{ ...base, policy: 'pss.seccomp' }] })).findings[0]!.excepted, undefined);
  assert.equal(checkWorkload(pod, opts({ exceptions: [{ ...base, revokedAt: NOW - 1 }] })).findings[0]!.excepted, undefined);
});

test('owner label: required of workloads, not of pods their controller made', () => {
  const pod = manifest('pod-compliant.yaml') as { metadata: Record<string, unknown> };
  delete (pod.metadata['labels'] as Record<string, string>)['owner'];
  assert.deepEqual(at(checkWorkload(pod, opts()).findings, 'identity.owner-label'), ['metadata.labels.owner']);
  pod.metadata['ownerReferences'] = [{ apiVersion: 'apps/v1', kind: 'ReplicaSet', name: 'web-5d9c', uid: 'u', controller: true }];
  assert.deepEqual(checkWorkload(pod, opts()).findings, []);
  pod.metadata['ownerReferences'] = [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'x', uid: 'u' }];
  assert.equal(at(checkWorkload(pod, opts()).findings, 'identity.owner-label').length, 1);
});
