// Fix-plan commands for Vault KV v2 secrets. The path is the importer's `path` attribute, else
// what follows vault://<scope>/ in the native id.
import { sh, withVar } from './shell-quote.ts';
import { attr, step, type FixPlanItem, type FixStep } from './fix-types.ts';

export function vaultFix(item: FixPlanItem): FixStep {
  const path = attr(item, 'path') ?? /^vault:\/\/[^/]+\/(.+)$/.exec(item.nativeId)?.[1] ?? null;
  if (path === null) return step({ notes: [`no vault step known for ${item.nativeId}`] });
  switch (item.action) {
    case 'assign-owner':
      return step({ owner: { target: `vault:${path}`, command: (v) => `vault kv metadata patch -custom-metadata=${withVar('owner=', v)} ${sh(path)}` } });
    case 'disable':
      return step({ run: [`vault kv metadata delete ${sh(path)}`], notes: ['deletes every version and the metadata of the secret: it cannot be undone'] });
    case 'rotate':
      return step({ manual: [`vault kv patch ${sh(path)} KEY=NEW_VALUE`], notes: ['rotate the credential at its issuer, write the new value, then let consumers reread it; better, use a Vault dynamic secrets engine'] });
    default:
      return step({ notes: ['migrate: replace the stored credential by a dynamic one (Vault secrets engine) or by federation'] });
  }
}
