import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startTestServer } from '../../helpers/test-server.ts';
import { STORE_KINDS } from '../../helpers/test-store.ts';
import { manifest } from '../workload/fixtures.ts';

const review = (uid: string, object: Record<string, unknown>) => ({
  apiVersion: 'admission.k8s.io/v1', kind: 'AdmissionReview',
  request: { uid, operation: 'CREATE', kind: { group: '', version: 'v1', kind: 'Pod' }, namespace: 'shop', name: 'debug-shell', object },
});

for (const kind of STORE_KINDS) {
  test(`${kind}: a live exception lets the privileged pod in, marked excepted in the audit; revoked, it is denied again`, async () => {
    const t = await startTestServer({ store: kind });
    try {
      const admin = await t.adminHeaders();
      await t.tokenFor(['approver'], 'alice');
      const workload = { authorization: `Bearer ${await t.tokenFor(['workload'], 'k8s-apiserver')}` };
      const pod = manifest('pod-privileged.yaml');
      const ask = async (uid: string) => (await t.app.inject({ method: 'POST', url: '/v1/admission', headers: workload, payload: review(uid, pod) })).json().response;

      assert.equal((await ask('before')).allowed, false);
      const created = await t.app.inject({ method: 'POST', url: '/v1/exceptions', headers: admin, payload: {
        name: 'debug-shell-incident-42', policy: 'pss.privileged', scope: { namespace: 'shop', kind: 'Pod', name: 'debug-*' },
        reason: 'incident 42 live debugging', owner: 'team-shop', approver: 'alice', expiresIn: '1h',
      } });
      assert.equal(created.statusCode, 201, created.body);
      const during = await ask('during');
      assert.deepEqual(during, { uid: 'during', allowed: true });
      const events = await t.store.audit.list({ action: 'admission.review', limit: 10, newestFirst: true });
      const d = JSON.parse(events[0]!.details) as { rules: string[]; findings: { rule: string; excepted?: string }[] };
      assert.deepEqual(d.rules, []);
      assert.deepEqual(d.findings.map((f) => [f.rule, f.excepted]), [['pss.privileged', 'debug-shell-incident-42']]);

      const revoked = await t.app.inject({ method: 'POST', url: '/v1/exceptions/debug-shell-incident-42/revoke', headers: admin, payload: {} });
      assert.ok(revoked.statusCode < 300, revoked.body);
      assert.equal((await ask('after')).allowed, false);
    } finally {
      await t.close();
    }
  });
}
