// Fix-plan commands for Tessera's own registry: identities (SPIFFE IDs) and tsk_ static keys.
import { sh, withVar } from './shell-quote.ts';
import { attr, step, type FixPlanItem, type FixStep } from './fix-types.ts';

export function tesseraFix(item: FixPlanItem): FixStep {
  if (item.kind === 'short-lived-svid') return step({ notes: ['SVIDs expire within minutes: act on the identity instead'] });
  if (item.category === 'identity') {
    if (item.action === 'assign-owner') {
      return step({ owner: { target: `tessera:${item.nativeId}`, command: (v) => `tessera identity update ${sh(item.nativeId)} --owner ${withVar('', v)}` } });
    }
    if (item.action === 'disable') return step({ run: [`tessera identity disable ${sh(item.nativeId)}`] });
    return step();
  }
  const keyId = attr(item, 'keyId', 'id');
  if (keyId === null) return step({ notes: ['the key id is not in the inventory: find it with tessera identity key list'] });
  const revoke = `tessera identity key revoke ${sh(keyId)} --reason ${sh(`fix plan: ${item.list}`)}`;
  if (item.action === 'disable') return step({ run: [revoke] });
  if (item.action === 'rotate' && item.parentId !== null) {
    return step({
      manual: [`tessera identity key create --identity ${sh(item.parentId)} --expires 30d`, revoke],
      notes: ['rotate: issue the new key, install it in the legacy system, then revoke the old one'],
    });
  }
  return step({ notes: ['static keys are an exception: move the workload to SVIDs or token exchange, then revoke the key'] });
}
