// Fix-plan commands for GitHub Actions secrets (github://<owner/repo or org>/actions/secrets/<NAME>)
// and deploy keys (github://<owner>/<repo>/…/<key id>), with the gh CLI.
import { sh } from './shell-quote.ts';
import { attr, step, type FixPlanItem, type FixStep } from './fix-types.ts';

function secretFix(item: FixPlanItem): FixStep {
  const m = /^github:\/\/(.+)\/actions\/secrets\/([^/]+)$/.exec(item.nativeId);
  if (!m) return step({ notes: [`no gh step known for ${item.nativeId}`] });
  const scope = m[1]!;
  const where = scope.includes('/') ? `--repo ${sh(scope)}` : `--org ${sh(scope)}`;
  const name = sh(m[2]!);
  switch (item.action) {
    case 'assign-owner':
      return step({ notes: ['Actions secrets carry no metadata: record the owner in Tessera (a workload link) or in CODEOWNERS'] });
    case 'disable':
      return step({ run: [`gh secret delete ${name} ${where}`] });
    case 'rotate':
      return step({ manual: [`gh secret set ${name} ${where}`], notes: ['rotate the credential at its issuer first, then store the new value (gh reads it from the terminal or standard input)'] });
    case 'migrate-to-federation':
      return step({ manual: [`gh secret delete ${name} ${where}`], notes: ['migrate: let the workflow request an OIDC token (permissions: id-token: write) and exchange it with the cloud or Tessera, then delete the secret'] });
    default:
      return step();
  }
}

function deployKeyFix(item: FixPlanItem): FixStep {
  const m = /^github:\/\/([^/]+\/[^/]+)\/.*?(\d+)$/.exec(item.nativeId);
  const id = attr(item, 'id', 'keyId') ?? m?.[2] ?? null;
  if (!m || id === null || !/^\d+$/.test(id)) return step({ notes: [`no gh step known for ${item.nativeId}`] });
  const repo = `--repo ${sh(m[1]!)}`;
  const remove = `gh repo deploy-key delete ${sh(id)} ${repo}`;
  switch (item.action) {
    case 'assign-owner':
      return step({ notes: ['deploy keys carry no metadata: record the owner in Tessera or in the key title'] });
    case 'disable':
      return step({ run: [remove] });
    case 'rotate':
      return step({
        manual: [
          `ssh-keygen -t ed25519 -N '' -f new-deploy-key`,
          `gh repo deploy-key add new-deploy-key.pub ${repo} --title ${sh(item.name)}${item.attributes.readOnly === false ? ' --allow-write' : ''}`,
          remove,
        ],
        notes: ['rotate: add the new key, install its private half where the old one was, then delete the old key'],
      });
    default:
      return step({ manual: [remove], notes: ['migrate: use a GitHub App installation token or the workflow token instead of a deploy key'] });
  }
}

export function githubFix(item: FixPlanItem): FixStep {
  return item.source === 'github-deploy-keys' ? deployKeyFix(item) : secretFix(item);
}
