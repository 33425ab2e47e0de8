// `tessera trust update NAME`: PATCH /v1/trust-sources/:name from the CLI, against a real server
// on loopback. Only the flags given change; refusals exit 2 (usage) or 1 (not found) and leave
// the source as it was.
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from '../helpers/test-server.ts';
import { runCli } from '../helpers/cli.ts';

// One issuer per source: an issuer is trusted by at most one source.
const issuerOf = (name: string) => `https://${name}.issuer.example`;

describe('tessera trust update', () => {
  let t: TestServer;
  let flags: string[];
  before(async () => {
    t = await startTestServer({ listen: true });
    flags = ['--server', t.url, '--data', t.dataDir];
  });
  after(async () => { await t.close(); });
  const cli = (...args: string[]) => runCli([...args, ...flags]);
  const file = (name: string, text: string) => { const f = join(t.dataDir, name); writeFileSync(f, text); return f; };
  const get = async (name: string) => {
    const r = await cli('trust', 'get', name, '--json');
    assert.equal(r.code, 0, r.stderr);
    return JSON.parse(r.stdout) as Record<string, unknown>;
  };
  const updates = async () => (await t.store.audit.list({ action: 'trust-source.update', limit: 1000 })).length;

  /** Adds a source with one binding, two audiences and a description; returns its JSON. */
  async function addSource(name: string): Promise<Record<string, unknown>> {
    const add = await cli('trust', 'add', '--name', name, '--kind', 'oidc', '--issuer', issuerOf(name), '--audience', 'tessera',
      '--env', 'dev', '--max-age', '30m', '--description', 'the CI issuer',
      '--binding', 'build', '--condition', 'claims.project == "api"', '--spiffe-id', 'spiffe://tessera.local/ci/{claims.project}/build');
    assert.equal(add.code, 0, add.stderr);
    return get(name);
  }

  test('the subcommand is listed and has its own help', async () => {
    const top = await cli('trust', '--help');
    assert.match(top.stdout, /update NAME\s+change a trust source/);
    const help = await cli('trust', 'update', '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /^Usage: tessera trust update NAME/);
    assert.match(help.stdout, /--bindings FILE/);
  });

  test('audiences and bindings change; every other field keeps its value; audited as trust-source.update', async () => {
    const initial = await addSource('ci');
    const bindings = file('bindings.yaml', [
      '- name: deploy',
      '  condition: claims.project == "api" && claims.ref == "refs/heads/main"',
      '  spiffeId: spiffe://tessera.local/ci/{claims.project}/deploy',
      '- name: test',
      '  condition: claims.project == "api"',
      '  spiffeId: spiffe://tessera.local/ci/{claims.project}/test',
      '',
    ].join('\n'));
    const r = await cli('trust', 'update', 'ci', '--audience', 'tessera-prod', '--audience', 'https://tessera.example.com', '--bindings', bindings);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^updated trust source ci/);
    assert.match(r.stdout, /audiences\s+tessera-prod, https:\/\/tessera\.example\.com/);

    const updated = await get('ci');
    assert.deepEqual(updated.audiences, ['tessera-prod', 'https://tessera.example.com']);
    assert.deepEqual(updated.bindings, [
      { name: 'deploy', condition: 'claims.project == "api" && claims.ref == "refs/heads/main"', spiffeId: 'spiffe://tessera.local/ci/{claims.project}/deploy' },
      { name: 'test', condition: 'claims.project == "api"', spiffeId: 'spiffe://tessera.local/ci/{claims.project}/test' },
    ]);
    for (const k of ['id', 'kind', 'issuer', 'algorithms', 'maxTokenAge', 'environment', 'description', 'createdAt']) {
      assert.deepEqual(updated[k], initial[k], k);
    }
    assert.ok(Date.parse(updated.updatedAt as string) > Date.parse(initial.updatedAt as string));

    const [e] = await t.store.audit.list({ action: 'trust-source.update', limit: 1, newestFirst: true });
    assert.equal(e?.outcome, 'success');
    assert.equal(e?.target, 'ci');
    assert.equal(e?.actor, 'admin');
    const d = JSON.parse(e!.details) as { before: { audiences: string[] }; after: { audiences: string[]; bindings: unknown[] } };
    assert.deepEqual(d.before.audiences, ['tessera']);
    assert.deepEqual(d.after.audiences, ['tessera-prod', 'https://tessera.example.com']);
    assert.equal(d.after.bindings.length, 2);
  });

  test('--json prints the updated source; an empty bindings file removes every binding; --kind may change', async () => {
    await addSource('ci-json');
    const r = await cli('trust', 'update', 'ci-json', '--bindings', file('none.json', '[]'), '--description', '', '--json');
    assert.equal(r.code, 0, r.stderr);
    const s = JSON.parse(r.stdout) as Record<string, unknown>;
    assert.equal(s.name, 'ci-json');
    assert.deepEqual(s.bindings, []);
    assert.equal(s.description, '');
    assert.deepEqual((await get('ci-json')).bindings, []);

    const k = await cli('trust', 'update', 'ci-json', '--kind', 'kubernetes', '--alg', 'ES256', '--max-age', '2h', '--env', 'staging', '--json');
    assert.equal(k.code, 0, k.stderr);
    const changed = await get('ci-json');
    assert.deepEqual([changed.kind, changed.algorithms, changed.maxTokenAge, changed.environment, changed.issuer], ['kubernetes', ['ES256'], 7200, 'staging', issuerOf('ci-json')]);
  });

  test('an unknown source: exit 1 (not found) with the name in the message', async () => {
    const r = await cli('trust', 'update', 'no-such-source', '--audience', 'x');
    assert.equal(r.code, 1);
    assert.match(r.stderr, /no trust source no-such-source/);
    assert.match(r.stderr, /ERR_NOT_FOUND/);
    assert.equal((await cli('trust', 'get', 'no-such-source')).code, 1);
  });

  test('usage errors exit 2, name the flag, send nothing and change nothing', async () => {
    const initial = await addSource('ci-usage');
    const count = await updates();
    const cases: [string[], RegExp][] = [
      [['trust', 'update', 'ci-usage'], /give at least one field to change/],
      [['trust', 'update', 'ci-usage', '--json'], /give at least one field to change/],
      [['trust', 'update', '--audience', 'x'], /NAME: which trust source to update is required/],
      [['trust', 'update', 'ci-usage', '--name', 'renamed'], /--name: a trust source cannot be renamed/],
      [['trust', 'update', 'ci-usage', '--binding', 'b', '--condition', 'true', '--spiffe-id', 'spiffe://tessera.local/x'], /--binding: update replaces the whole list of bindings/],
      [['trust', 'update', 'ci-usage', '--condition', 'true'], /--condition: update replaces the whole list/],
      [['trust', 'update', 'ci-usage', '--frobnicate'], /--frobnicate/],
      [['trust', 'update', 'ci-usage', 'extra', '--audience', 'x'], /unexpected argument "extra"/],
      [['trust', 'update', 'ci-usage', '--bindings', join(t.dataDir, 'missing.yaml')], /--bindings: cannot read .*missing\.yaml: ENOENT/],
      [['trust', 'update', 'ci-usage', '--bindings', file('map.yaml', 'name: deploy\n')], /--bindings: the file must hold a list/],
      [['trust', 'update', 'ci-usage', '--jwks', join(t.dataDir, 'missing.json')], /--jwks: cannot read/],
    ];
    for (const [args, message] of cases) {
      const r = await cli(...args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.match(r.stderr, message, args.join(' '));
      assert.equal(r.stdout, '', args.join(' '));
    }
    assert.equal(await updates(), count, 'no update was attempted');
    assert.deepEqual(await get('ci-usage'), initial);
  });

  test('a value the server refuses: exit 2 naming the field; the source is unchanged and the refusal audited', async () => {
    const initial = await addSource('ci-bad');
    const age = await cli('trust', 'update', 'ci-bad', '--max-age', '48h', '--audience', 'changed');
    assert.equal(age.code, 2);
    assert.match(age.stderr, /maxTokenAge: must be at most 24h/);
    const cel = await cli('trust', 'update', 'ci-bad', '--bindings',
      file('bad-cel.json', JSON.stringify([{ name: 'b', condition: 'claims.x ==', spiffeId: 'spiffe://tessera.local/x' }])));
    assert.equal(cel.code, 2);
    assert.match(cel.stderr, /bindings\[0\] \(b\)\.condition: CEL does not compile/);
    const env = await cli('trust', 'update', 'ci-bad', '--env', 'Not An Env', '--json');
    assert.equal(env.code, 2);
    assert.equal((JSON.parse(env.stderr) as { error: { field: string } }).error.field, 'environment');
    assert.deepEqual(await get('ci-bad'), initial);
    const [e] = await t.store.audit.list({ action: 'trust-source.update', limit: 1, newestFirst: true });
    assert.equal(e?.outcome, 'denied');
    assert.equal(e?.target, 'ci-bad');
  });
});
