// npm run bench: every benchmark, each a ratio against a floor or peer measured in the same run.
import { formatResult, type BenchResult } from './result.ts';
import { benchAuditAppend } from './audit-append.ts';
import { benchIdentityCreate } from './identity-create.ts';
import { benchX509Svid } from './x509-svid.ts';
import { benchJwtSvid } from './jwt-svid.ts';
import { benchTokenExchange } from './token-exchange.ts';
import { benchAdmission } from './admission.ts';
import { benchPolicyDecision } from './policy-decision.ts';
import { benchScan } from './scan.ts';
import { benchInventory } from './inventory.ts';

const suites: [string, () => Promise<BenchResult[]>][] = [
  ['audit append', benchAuditAppend],
  ['identity create over HTTP', benchIdentityCreate],
  ['x509-svid issuance', benchX509Svid],
  ['jwt-svid mint and verify', benchJwtSvid],
  ['token exchange', benchTokenExchange],
  ['admission webhook', benchAdmission],
  ['policy decision', benchPolicyDecision],
  ['secret scanner', benchScan],
  ['inventory import and posture', benchInventory],
];

const only = process.argv[2];
console.log(`tessera bench — ${new Date().toISOString().slice(0, 10)}, Node ${process.version}, ${(await import('node:os')).cpus().length} cores`);
for (const [name, run] of suites) {
  if (only && !name.includes(only)) continue;
  console.log(`\n## ${name}`);
  for (const r of await run()) console.log(formatResult(r));
}
