// Fix-plan commands for GCP service accounts (projects/<p>/serviceAccounts/<email>) and their
// keys (…/keys/<key id>), with the gcloud commands Google documents for each.
import { sh } from './shell-quote.ts';
import { step, type FixPlanItem, type FixStep } from './fix-types.ts';

function parse(id: string | null): { email: string; keyId: string | null } | null {
  const m = id === null ? null : /^projects\/[^/]+\/serviceAccounts\/([^/]+)(?:\/keys\/([^/]+))?$/.exec(id);
  return m ? { email: m[1]!, keyId: m[2] ?? null } : null;
}

export function gcpFix(item: FixPlanItem): FixStep {
  const ref = parse(item.nativeId);
  if (!ref) return step({ notes: [`no gcloud step known for ${item.nativeId}`] });
  const account = `--iam-account=${sh(ref.email)}`;
  if (item.action === 'assign-owner') {
    return step({
      manual: [`gcloud iam service-accounts update ${sh(ref.email)} --description=${sh('owner=<team>')}`],
      notes: ['service accounts take no labels: Tessera reads owner=<team> from the description (this replaces the description; keep its text)'],
    });
  }
  if (ref.keyId !== null) {
    const disable = `gcloud iam service-accounts keys disable ${sh(ref.keyId)} ${account}`;
    const remove = `gcloud iam service-accounts keys delete ${sh(ref.keyId)} ${account}`;
    if (item.action === 'disable') return step({ run: [disable], manual: [remove], notes: ['disabled (reversible with keys enable); delete it once nothing broke'] });
    if (item.action === 'rotate') {
      return step({
        manual: [`gcloud iam service-accounts keys create new-key.json ${account}`, disable, remove],
        notes: ['rotate: create the new key, move every consumer to it, then disable and delete the old one; better, use Workload Identity Federation and no key at all'],
      });
    }
    return step({ manual: [disable], notes: ['migrate: let the workload use Workload Identity Federation (or an attached service account), then disable the key'] });
  }
  if (item.action === 'disable') {
    return step({ run: [`gcloud iam service-accounts disable ${sh(ref.email)}`], manual: [`gcloud iam service-accounts delete ${sh(ref.email)}`] });
  }
  return step({ notes: [`no gcloud step for ${item.action} on ${ref.email}`] });
}
