import { test, describe, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer, type TestServer } from '../../helpers/test-server.ts';
import { manifest } from '../workload/fixtures.ts';

const review = (object: unknown, request: Record<string, unknown> = {}) => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: {
    uid: 'b7e1a6a2-0c3e-4a8f-9f7e-2f0c5a9d1e11', operation: 'CREATE',
    kind: { group: '', version: 'v1', kind: (object as { kind?: string })?.kind ?? 'Pod' },
    namespace: (object as { metadata?: { namespace?: string } })?.metadata?.namespace,
    name: (object as { metadata?: { name?: string } })?.metadata?.name,
    object, ...request,
  },
});

async function admissionEvents(t: TestServer) {
  const events = await t.store.audit.list({ action: 'admission.review', limit: 100 });
  return events.map((e) => ({ ...e, d: JSON.parse(e.details) as Record<string, unknown> }));
}

describe('POST /v1/admission', () => {
  let t: TestServer;
  let headers: Record<string, string>;
  before(async () => {
    t = await startTestServer({ config: { approvedRegistries: ['ghcr.io/acme', 'registry.example.com'], workloadModes: { 'identity.owner-label': 'warn', 'pss.sysctls': 'audit' } } });
    headers = { authorization: `Bearer ${await t.tokenFor(['workload'], 'spiffe://tessera.local/k8s/apiserver')}` };
  });
  after(() => t.close());
  const post = (payload: unknown, url = '/v1/admission', h = headers) => t.app.inject({ method: 'POST', url, headers: h, payload: payload as object });

  test('a privileged pod is denied, the message names the rule and the path; uid echoed; audited as denied', async () => {
    const res = await post(review(manifest('pod-privileged.yaml')));
    assert.equal(res.statusCode, 200);
    const body = res.json();
    assert.equal(body.apiVersion, 'admission.k8s.io/v1');
    assert.equal(body.kind, 'AdmissionReview');
    assert.equal(body.response.uid, 'b7e1a6a2-0c3e-4a8f-9f7e-2f0c5a9d1e11');
    assert.equal(body.response.allowed, false);
    assert.equal(body.response.status.code, 403);
    assert.match(body.response.status.message, /pss\.privileged at spec\.containers\[0\]\.securityContext\.privileged/);
    assert.deepEqual(Object.keys(body).sort(), ['apiVersion', 'kind', 'response']);
    const [e] = (await admissionEvents(t)).slice(-1);
    assert.equal(e!.outcome, 'denied');
    assert.equal(e!.actor, 'spiffe://tessera.local/k8s/apiserver');
    assert.equal(e!.target, 'Pod/shop/debug-shell');
    assert.equal(e!.d['uid'], 'b7e1a6a2-0c3e-4a8f-9f7e-2f0c5a9d1e11');
    assert.deepEqual([e!.d['kind'], e!.d['name'], e!.d['namespace'], e!.d['allowed'], e!.d['dryRun']], ['Pod', 'debug-shell', 'shop', false, false]);
    assert.deepEqual(e!.d['rules'], ['pss.privileged']);
  });

  test('restricted-compliant workloads of every kind are allowed with no status and no warnings', async () => {
    for (const f of ['pod-compliant.yaml', 'deployment-compliant.yaml', 'statefulset-compliant.yaml', 'cronjob-compliant.yaml', 'job-compliant.yaml', 'daemonset-compliant.yaml']) {
      const res = await post(review(manifest(f)));
      assert.equal(res.statusCode, 200, f);
      assert.deepEqual(res.json().response, { uid: 'b7e1a6a2-0c3e-4a8f-9f7e-2f0c5a9d1e11', allowed: true }, f);
    }
  });

  test('warn-mode findings are allowed with warnings; audit-mode findings are allowed silently but recorded', async () => {
    const pod = manifest('pod-compliant.yaml') as { metadata: { labels: Record<string, string> }; spec: { securityContext: Record<string, unknown> } };
    delete pod.metadata.labels['owner'];
    pod.spec.securityContext['sysctls'] = [{ name: 'kernel.msgmax', value: '1' }];
    const res = await post(review(pod, { uid: 'warn-1' }));
    const r = res.json().response;
    assert.equal(r.allowed, true);
    assert.equal(r.status, undefined);
    assert.deepEqual(r.warnings, ['identity.owner-label at metadata.labels.owner: workload has no owner label']);
    const [e] = (await admissionEvents(t)).slice(-1);
    assert.equal(e!.outcome, 'success');
    assert.deepEqual(e!.d['rules'], ['pss.sysctls', 'identity.owner-label']);
  });

  test('warnings are at most 20, each at most 256 characters (the API server truncates beyond)', async () => {
    const t2 = await startTestServer({ config: { workloadModes: { 'identity.automount-token': 'warn', 'pss.host-ports': 'warn' } } });
    try {
      const h = { authorization: `Bearer ${await t2.tokenFor(['workload'])}` };
      const pod = manifest('pod-compliant.yaml') as { metadata: { labels: Record<string, string> }; spec: Record<string, unknown> & { containers: Record<string, unknown>[] } };
      delete pod.spec['automountServiceAccountToken'];
      pod.spec.containers[0]!['name'] = 'x'.repeat(250);
      pod.spec.containers[0]!['ports'] = Array.from({ length: 30 }, (_, i) => ({ containerPort: 8000 + i, hostPort: 9000 + i }));
      const r = (await t2.app.inject({ method: 'POST', url: '/v1/admission', headers: h, payload: review(pod, { uid: 'many' }) })).json().response;
      assert.equal(r.allowed, true);
      assert.equal(r.warnings.length, 21);
      assert.equal(r.warnings[20], '… and 11 more warnings');
      assert.ok(r.warnings.every((w: string) => w.length <= 256));
      assert.ok(r.warnings.some((w: string) => w.endsWith('…')));
    } finally {
      await t2.close();
    }
  });

  test('a clean, allowed dry run is answered but not audited; a real admission of the same object is', async () => {
    const before = (await admissionEvents(t)).length;
    const dry = await post(review(manifest('pod-compliant.yaml'), { uid: 'dry-clean', dryRun: true }));
    assert.equal(dry.json().response.allowed, true);
    assert.equal(dry.json().response.uid, 'dry-clean');
    assert.equal((await admissionEvents(t)).length, before, 'no audit event for a clean dry run');
    const real = await post(review(manifest('pod-compliant.yaml'), { uid: 'real-1' }));
    assert.equal(real.json().response.allowed, true);
    assert.equal((await admissionEvents(t)).length, before + 1);
  });

  test('a denied dry run is answered the same and audited with dryRun: true', async () => {
    const before = (await admissionEvents(t)).length;
    const res = await post(review(manifest('pod-privileged.yaml'), { uid: 'dry-1', dryRun: true }));
    assert.equal(res.json().response.allowed, false);
    const events = await admissionEvents(t);
    assert.equal(events.length, before + 1);
    assert.equal(events.at(-1)!.d['dryRun'], true);
    assert.equal(events.at(-1)!.d['uid'], 'dry-1');
  });

  test('unknown kinds are allowed with no findings; DELETE is allowed', async () => {
    const res = await post(review({ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w', namespace: 'shop' }, spec: { privileged: true } }, { uid: 'u-1' }));
    assert.deepEqual(res.json().response, { uid: 'u-1', allowed: true });
    const del = await post(review(null, { uid: 'd-1', operation: 'DELETE', oldObject: manifest('pod-privileged.yaml') }));
    assert.deepEqual(del.json().response, { uid: 'd-1', allowed: true });
  });

  test('a service-account-token Secret is denied', async () => {
    const res = await post(review(manifest('secret-service-account-token.yaml'), { uid: 's-1' }));
    assert.equal(res.json().response.allowed, false);
    assert.match(res.json().response.status.message, /identity\.no-service-account-token-secret at type/);
  });

  test('the environment path segment applies prod rules (default service account)', async () => {
    const sts = manifest('statefulset-default-sa-prod.yaml') as { metadata: { labels: Record<string, string> }; spec: { template: { spec: Record<string, unknown> } } };
    delete sts.metadata.labels['tessera.dev/environment'];
    sts.spec.template.spec['automountServiceAccountToken'] = false;
    assert.equal((await post(review(sts))).json().response.allowed, true);
    const prod = (await post(review(sts), '/v1/admission/prod')).json().response;
    assert.equal(prod.allowed, false);
    assert.match(prod.status.message, /identity\.dedicated-service-account/);
    const bad = await post(review(sts), '/v1/admission/Not_An_Env');
    assert.equal(bad.statusCode, 400);
  });

  test('missing request, missing uid, wrong apiVersion: 400 problem, not an AdmissionReview, nothing audited', async () => {
    const before = (await admissionEvents(t)).length;
    const cases: [unknown, string][] = [
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview' }, 'request'],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { object: {} } }, 'request.uid'],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: '' } }, 'request.uid'],
      [{ apiVersion: 'admission.k8s.io/v1beta1', kind: 'AdmissionReview', request: { uid: 'x' } }, 'apiVersion'],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'Pod', request: { uid: 'x' } }, 'kind'],
      [{ apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview', request: { uid: 'x', dryRun: 'yes' } }, 'request.dryRun'],
      [[], 'body'],
    ];
    for (const [payload, field] of cases) {
      const res = await post(payload);
      assert.equal(res.statusCode, 400, field);
      assert.equal(res.json().code, 'ERR_INVALID_INPUT', field);
      assert.equal(res.json().field, field);
      assert.equal(res.json().response, undefined);
    }
    assert.equal((await admissionEvents(t)).length, before);
  });

  test('a body over 3 MiB is refused with 413; a 2 MiB one is reviewed', async () => {
    const big = (n: number) => {
      const pod = manifest('pod-compliant.yaml') as { metadata: { annotations?: Record<string, string> } };
      pod.metadata.annotations = { blob: 'x'.repeat(n) };
      return review(pod, { uid: 'big' });
    };
    const res = await post(big(3 * 1024 * 1024 + 10));
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().code, 'ERR_BODY_TOO_LARGE');
    const ok = await post(big(2 * 1024 * 1024));
    assert.equal(ok.statusCode, 200);
    assert.equal(ok.json().response.allowed, true);
  });

  test('callers need a workload or admin token', async () => {
    assert.equal((await post(review(manifest('pod-compliant.yaml')), '/v1/admission', {})).statusCode, 401);
    const auditor = { authorization: `Bearer ${await t.tokenFor(['auditor'])}` };
    assert.equal((await post(review(manifest('pod-compliant.yaml')), '/v1/admission', auditor)).statusCode, 403);
    assert.deepEqual(t.routes.filter((r) => r.url.startsWith('/v1/admission')).map((r) => r.auth), [['admin', 'workload'], ['admin', 'workload']]);
  });
});
