import { processIo, EXIT, type CliIo } from './io.ts';
import { failExit } from './client.ts';

type Run = (argv: string[], io: CliIo) => Promise<number>;

// Verb → module. Loaded lazily so `tessera identity …` does not load the server.
const VERBS: Record<string, { summary: string; load: () => Promise<{ run: Run }> }> = {
  server: { summary: 'run the Tessera server (embedded SQLite by default, PostgreSQL with --database-url)', load: () => import('./commands/server.ts') },
  identity: { summary: 'register and govern machine identities (create|list|get|update|disable|enable|delete)', load: () => import('./commands/identity.ts') },
  trust: { summary: 'trust sources for workload proof: Kubernetes, GitHub Actions, GitLab CI, OIDC (add|list|get|update|remove|test)', load: () => import('./commands/trust.ts') },
  audit: { summary: 'read, verify and export the tamper-evident audit log (tail|verify|export)', load: () => import('./commands/audit.ts') },
  svid: { summary: 'get an X509-SVID for an identity; the key is generated locally and never sent (x509)', load: () => import('./commands/svid.ts') },
  revoke: { summary: 'revoke a token, every token of an identity, or a static key, at once (--jti|--identity|--token-file|--static-key)', load: () => import('./commands/revoke.ts') },
  token: { summary: 'mint a JWT-SVID for an identity (mint)', load: () => import('./commands/token.ts') },
  ca: { summary: 'the trust domain\'s signing keys: status and forced rotation (status|rotate)', load: () => import('./commands/ca.ts') },
  'join-token': { summary: 'single-use bootstrap tokens for a node or agent with no other proof (create|list)', load: () => import('./commands/join-token.ts') },
  policy: { summary: 'policies as code: list|get|apply|delete|explain|test, and check for Kubernetes manifests', load: () => import('./commands/policy.ts') },
  exception: { summary: 'policy exceptions: named, owned, approved, always expiring (create|list|revoke|debt|export)', load: () => import('./commands/exception.ts') },
  elevation: { summary: 'just-in-time elevation: request, approve, deny, revoke, list', load: () => import('./commands/elevation.ts') },
  scan: { summary: 'find leaked credentials in files, git history, staged changes or logs, and gate CI on them', load: () => import('./commands/scan.ts') },
  inventory: { summary: 'import what AWS, Kubernetes, GCP, GitHub and Vault export; list, link and correlate machine identities', load: () => import('./commands/inventory.ts') },
  posture: { summary: 'posture metrics over the inventory, hygiene lists and a fix plan (--by tier|env|owner|source, --hygiene, --fix-plan)', load: () => import('./commands/posture.ts') },
  drift: { summary: 'what changed in the inventory since a time: new identities, widened privileges, expired-but-active, metrics', load: () => import('./commands/drift.ts') },
  principal: { summary: 'manage who may obtain access tokens and with which roles (list|add|disable)', load: () => import('./commands/principal.ts') },
};

export const USAGE = `tessera — short-lived, attested identities for every workload

Usage: tessera <verb> [subcommand] [flags]

Verbs:
${Object.entries(VERBS).map(([v, d]) => `  ${v.padEnd(10)} ${d.summary}`).join('\n')}

Every verb has --help. Client verbs take --server URL (or TESSERA_SERVER) and --data DIR
(the server's data folder, where the admin key is; or TESSERA_DATA) and --json.
Exit status: 0 success, 1 failure or denial, 2 bad usage or input.`;

export async function main(argv: string[], io: CliIo = processIo): Promise<number> {
  const [verb, ...rest] = argv;
  if (verb === undefined || verb === '--help' || verb === '-h' || verb === 'help') {
    io.out(USAGE);
    return verb === undefined ? EXIT.USAGE : EXIT.OK;
  }
  if (verb === '--version') { io.out('tessera 0.1.0'); return EXIT.OK; }
  const entry = VERBS[verb];
  if (!entry) {
    io.err(`tessera: unknown verb "${verb}"; run tessera --help for the list`);
    return EXIT.USAGE;
  }
  try {
    const mod = await entry.load();
    return await mod.run(rest, io);
  } catch (e) {
    return failExit(io, e, rest.includes('--json'));
  }
}

if (import.meta.main) {
  const code = await main(process.argv.slice(2));
  // The server verb keeps running; everything else exits with its code.
  if (code >= 0) process.exitCode = code;
}
