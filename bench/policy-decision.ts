// decide() with 100 policies and a realistic subject and context, against a bare CEL evaluation
// of one expression measured in the same run. Goal: p99 < 50 µs.
import { Environment } from '@marcbachmann/cel-js';
import { compilePolicies, decide, DEFAULT_POLICIES, type DecisionInput, type PolicyDefinition } from '../src/policy/index.ts';
import { formatResult, type BenchResult } from './result.ts';

const TEAMS = ['payments', 'orders', 'search', 'billing', 'identity', 'ledger', 'risk', 'catalog', 'shipping', 'support'];

/** 100 policies shaped like a real deployment's: most filtered out by match, some evaluated. */
function policies(): PolicyDefinition[] {
  const out: PolicyDefinition[] = [...DEFAULT_POLICIES];
  for (let i = 0; out.length < 100; i++) {
    const team = TEAMS[i % TEAMS.length]!;
    const k = i % 4;
    if (k === 0) out.push({ name: `allow-${team}-${i}`, owner: `team-${team}`, effect: 'allow', match: { actions: ['token.exchange'], identities: [`spiffe://tessera.local/prod/${team}/**`] },
      condition: `subject.labels.team == "${team}" && subject.claims.ref == "refs/heads/main"` });
    else if (k === 1) out.push({ name: `deny-${team}-forks-${i}`, owner: 'security', effect: 'deny', match: { actions: ['token.exchange'] },
      condition: `has(subject.claims.fork) && subject.claims.fork == "true" && subject.labels.team == "${team}"` });
    else if (k === 2) out.push({ name: `deny-${team}-aud-${i}`, owner: 'security', effect: 'deny', match: { actions: ['token.exchange'], audiences: [`https://${team}.*`] },
      condition: 'subject.environment != "prod" || subject.tier > 2' });
    else out.push({ name: `warn-${team}-hours-${i}`, owner: 'security', effect: 'deny', mode: 'warn', match: { actions: ['token.exchange'] },
      condition: `subject.labels.team == "${team}" && context.time < timestamp("2020-01-01T00:00:00Z")` });
  }
  return out;
}

const input: DecisionInput = {
  subject: {
    spiffeId: 'spiffe://tessera.local/prod/payments/api', owner: 'team-payments', environment: 'prod', tier: 1,
    labels: { team: 'payments', app: 'api' }, enabled: true,
    claims: { repository: 'acme/payments', ref: 'refs/heads/main', runner_environment: 'github-hosted', workflow: 'deploy.yml', sha: 'a'.repeat(40) },
    source: { kind: 'oidc', name: 'github', environment: 'prod' }, binding: 'payments-main',
  },
  audience: ['https://orders.internal'], action: 'token.exchange',
  context: { time: Date.UTC(2026, 0, 1), sourceIp: '10.0.0.7', requestedTokenType: 'urn:ietf:params:oauth:token-type:jwt', elevations: [] },
};

function percentiles(run: () => void, n: number): { p50: number; p99: number } {
  for (let i = 0; i < 2000; i++) run();
  const t = new Float64Array(n);
  for (let i = 0; i < n; i++) { const s = process.hrtime.bigint(); run(); t[i] = Number(process.hrtime.bigint() - s) / 1000; }
  t.sort();
  return { p50: t[Math.floor(n * 0.5)]!, p99: t[Math.floor(n * 0.99)]! };
}

export async function benchPolicyDecision(): Promise<BenchResult[]> {
  const set = compilePolicies(policies());
  if (set.policies.length !== 100) throw new Error('expected 100 policies');
  if (!decide(input, set).allow) throw new Error('the benchmark input must be allowed (every policy considered)');
  const env = new Environment().registerVariable('subject', 'map');
  const bare = env.parse('subject.labels.team == "payments" && subject.claims.ref == "refs/heads/main"');
  const vars = { subject: input.subject };
  const n = 50_000;
  const cel = percentiles(() => { bare(vars); }, n);
  const d = percentiles(() => { decide(input, set); }, n);
  return [
    { name: 'bare CEL evaluation p50', value: cel.p50, unit: 'µs' },
    { name: 'decide() 100 policies p50', value: d.p50, unit: 'µs', ratio: d.p50 / cel.p50, against: 'bare CEL p50' },
    { name: 'decide() 100 policies p99 (goal < 50 µs)', value: d.p99, unit: 'µs', ratio: d.p99 / cel.p99, against: 'bare CEL p99' },
  ];
}

if (import.meta.main) for (const r of await benchPolicyDecision()) console.log(formatResult(r));
