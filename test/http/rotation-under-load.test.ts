// Keys rotate under load with zero verification failures at relying parties. Minting runs over
// real loopback HTTP with one admin session throughout, while the keys are rotated several
// times; every token is verified by jose through the discovery document's jwks_uri, and by the
// SDK path. The relying party refreshes its JWKS cache more often than keys rotate but never
// refetches on an unknown kid (a huge cooldown): a token whose key was not published ahead of
// signing would fail.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as jose from 'jose';
import { verifyJwtSvid } from '../../src/ca/index.ts';
import { startTestServer } from '../helpers/test-server.ts';

const SPIFFE_ID = 'spiffe://tessera.local/ns/prod/sa/orders';
const ROTATIONS = 6;
const WORKERS = 4;

test('rotation under load: every minted JWT-SVID verifies at a relying party, across several rotations', async () => {
  const t = await startTestServer({ listen: true });
  try {
    const admin = { ...(await t.adminHeaders()), 'content-type': 'application/json' };
    const created = await fetch(`${t.url}/v1/identities`, {
      method: 'POST', headers: admin, body: JSON.stringify({ spiffeId: SPIFFE_ID, owner: 'team-orders', environment: 'prod', tier: 1, ttl: '15m' }),
    });
    assert.equal(created.status, 201);
    const discovery = (await (await fetch(`${t.url}/.well-known/openid-configuration`)).json()) as { jwks_uri: string };
    const jwks = jose.createRemoteJWKSet(new URL(discovery.jwks_uri), { cacheMaxAge: 100, cooldownDuration: 600_000 });

    let done = false;
    let verified = 0;
    const failures: string[] = [];
    const kids = new Set<string>();
    const worker = async () => {
      while (!done) {
        const res = await fetch(`${t.url}/v1/jwt-svids`, { method: 'POST', headers: admin, body: JSON.stringify({ identity: SPIFFE_ID, audience: 'billing' }) });
        if (res.status !== 200) { failures.push(`mint answered ${res.status}: ${await res.text()}`); continue; }
        const { token } = (await res.json()) as { token: string };
        try {
          const { protectedHeader } = await jose.jwtVerify(token, jwks, { issuer: t.url, audience: 'billing' });
          kids.add(protectedHeader.kid!);
        } catch (e) {
          failures.push(`jose: ${(e as Error).message}`);
          continue;
        }
        const sdk = verifyJwtSvid(token, {
          key: (kid) => { const k = t.services.ca.jwtKeys().find((p) => p.kid === kid); return k && { alg: k.alg, key: k.publicKey }; },
          audience: 'billing', now: Date.now(), issuer: t.url, trustDomain: 'tessera.local',
        });
        if (!sdk.ok) failures.push(`sdk: ${sdk.reason}`);
        else verified++;
      }
    };
    const load = Array.from({ length: WORKERS }, worker);
    const rotations: string[] = [];
    for (let i = 0; i < ROTATIONS; i++) {
      // Well above the relying party's cache age (100 ms), so a slow JWKS fetch cannot make it
      // hold a set older than the previous rotation.
      await new Promise((r) => setTimeout(r, 500));
      const res = await fetch(`${t.url}/v1/ca/rotate`, { method: 'POST', headers: admin, body: JSON.stringify({ kind: 'all' }) });
      assert.equal(res.status, 200, await res.clone().text());
      rotations.push(((await res.json()) as { jwt: { active: string } }).jwt.active);
    }
    await new Promise((r) => setTimeout(r, 300));
    done = true;
    await Promise.all(load);

    assert.deepEqual(failures.slice(0, 5), [], `${failures.length} failures`);
    assert.equal(new Set(rotations).size, ROTATIONS, 'each rotation brought a new signing key');
    assert.ok(kids.size >= 2, `tokens were signed by several keys during the run (${kids.size})`);
    assert.ok(verified > 0);
  } finally { await t.close(); }
});
