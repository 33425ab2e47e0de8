// Fix-plan commands for AWS IAM items (credential report and authorization details).
// The credential report names a user's key by slot (access_key_1/2) but never by id, so the
// plan looks the id up with `aws iam list-access-keys`, picking the key created at the time the
// report gives as its last rotation (a key is rotated by replacing it, so that is its CreateDate).
import { sh, withVar } from './shell-quote.ts';
import { attr, step, type FixPlanItem, type FixStep } from './fix-types.ts';

interface Arn { type: 'user' | 'role' | 'group' | 'root' | 'other'; name: string }

function parseArn(arn: string | null): Arn | null {
  if (arn === null) return null;
  const m = /^arn:aws[\w-]*:iam::\d{12}:(root|user|role|group)(?:\/(.+))?$/.exec(arn);
  if (!m) return null;
  if (m[1] === 'root') return { type: 'root', name: 'root' };
  const name = m[2]?.split('/').pop();
  return name ? { type: m[1] as Arn['type'], name } : null;
}

/** Credential native ids are `<user arn>/access-key-1`, `<user arn>/cert-2`, … */
function slotOf(nativeId: string): { what: 'key' | 'cert'; slot: string; userArn: string } | null {
  const m = /^(.*)\/(access-key|cert|certificate|signing-certificate)-([12])$/.exec(nativeId);
  return m ? { what: m[2] === 'access-key' ? 'key' : 'cert', slot: m[3]!, userArn: m[1]! } : null;
}

/** Second-precision UTC prefix that both CLI v1 (…Z) and v2 (…+00:00) CreateDate values start with. */
const createdPrefix = (t: number) => new Date(t).toISOString().slice(0, 19);

interface Lookup { lines: string[]; ref: string }

/** Shell lines that set `$var` to the key or certificate id, or to '' (with a message) when not found. */
function lookupId(item: FixPlanItem, user: string, what: 'key' | 'cert', slot: string, n: number): Lookup | null {
  const known = attr(item, what === 'key' ? 'accessKeyId' : 'certificateId');
  const idChars = what === 'key' ? /^[A-Za-z0-9]{16,128}$/ : /^\w{24,128}$/;
  if (known !== null && idChars.test(known)) return { lines: [], ref: sh(known) };
  const at = item.lastRotatedAt ?? item.createdAt;
  if (at === null) return null;
  const v = `${what}_${n}`;
  const query = what === 'key'
    ? `AccessKeyMetadata[?starts_with(CreateDate, '${createdPrefix(at)}')].AccessKeyId`
    : `Certificates[?starts_with(UploadDate, '${createdPrefix(at)}')].CertificateId`;
  const list = what === 'key' ? 'list-access-keys' : 'list-signing-certificates';
  const label = `${what === 'key' ? 'access key' : 'signing certificate'} ${slot} of ${user}`;
  return {
    ref: `"$${v}"`,
    lines: [
      `${v}=$(aws iam ${list} --user-name ${sh(user)} --query ${sh(query)} --output text) || ${v}=''`,
      // Exactly one id, or nothing: "None", two tab-separated ids or an error text all stop here.
      `case "$${v}" in ''|None|*[!A-Za-z0-9_]*) echo ${sh(`${label}: no single match created ${createdPrefix(at)}Z; skipped`)} >&2; ${v}='' ;; esac`,
    ],
  };
}

function credentialStep(item: FixPlanItem, n: number): FixStep {
  const slot = slotOf(item.nativeId);
  const user = parseArn(item.parentId ?? slot?.userArn ?? null);
  if (!slot || !user || user.type !== 'user') {
    if (user?.type === 'root') {
      return step({ notes: ['root user credentials: sign in as the root user and delete them (IAM console, Security credentials); the CLI cannot manage them by user name'] });
    }
    return step({ notes: [`no AWS CLI step known for ${item.kind} ${item.nativeId}; act on it in the IAM console`] });
  }
  const owner = { target: `aws-user:${user.name}`, command: (v: string) => `aws iam tag-user --user-name ${sh(user.name)} --tags ${withVar('Key=owner,Value=', v)}` };
  if (item.action === 'assign-owner') return step({ owner, notes: [`a credential takes its owner from its user: tag user ${user.name}`] });
  const look = lookupId(item, user.name, slot.what, slot.slot, n);
  if (!look) return step({ notes: ['the report has no creation time for this slot; find the id with aws iam list-access-keys'] });
  const isKey = slot.what === 'key';
  const deactivate = isKey
    ? `aws iam update-access-key --user-name ${sh(user.name)} --access-key-id ${look.ref} --status Inactive`
    : `aws iam update-signing-certificate --user-name ${sh(user.name)} --certificate-id ${look.ref} --status Inactive`;
  const guarded = look.lines.length > 0 ? `[ -z ${look.ref} ] || ${deactivate}` : deactivate;
  const remove = isKey
    ? `aws iam delete-access-key --user-name ${sh(user.name)} --access-key-id ${look.ref}`
    : `aws iam delete-signing-certificate --user-name ${sh(user.name)} --certificate-id ${look.ref}`;
  switch (item.action) {
    case 'disable':
      return step({ run: [...look.lines, guarded], manual: [remove], notes: ['deactivated, not deleted: delete it once nothing broke'] });
    case 'rotate':
      return step({
        notes: [isKey
          ? 'rotate: create a second key, move every consumer to it, then deactivate and delete the old one (a user holds at most two keys); better, replace the key by a role the workload assumes through OIDC federation'
          : 'rotate: upload the new certificate, move its users, then deactivate and delete the old one'],
        manual: [
          isKey ? `aws iam create-access-key --user-name ${sh(user.name)}` : `aws iam upload-signing-certificate --user-name ${sh(user.name)} --certificate-body file://new-certificate.pem`,
          ...look.lines, guarded, remove,
        ],
      });
    default:
      return step({
        notes: ['migrate: give the workload an IAM role it assumes with a web-identity token (Tessera, GitHub Actions or EKS OIDC), then deactivate the key'],
        manual: [...look.lines, guarded],
      });
  }
}

function identityStep(item: FixPlanItem): FixStep {
  const arn = parseArn(item.nativeId);
  if (!arn || arn.type === 'other') return step({ notes: [`no AWS CLI step known for ${item.nativeId}`] });
  if (arn.type === 'root') return step({ notes: ['the root user: remove its access keys and keep it for break-glass use only'] });
  if (item.action === 'assign-owner') {
    if (arn.type === 'group') return step({ notes: ['IAM groups take no tags: give the group an owner in Tessera or tag its members'] });
    const verb = arn.type === 'user' ? 'tag-user --user-name' : 'tag-role --role-name';
    return step({ owner: { target: `aws-${arn.type}:${arn.name}`, command: (v) => `aws iam ${verb} ${sh(arn.name)} --tags ${withVar('Key=owner,Value=', v)}` } });
  }
  if (item.action === 'disable' && arn.type === 'user') {
    // A user has no on/off switch; deactivating its keys stops its programmatic use.
    return step({
      run: [`for k in $(aws iam list-access-keys --user-name ${sh(arn.name)} --query ${sh("AccessKeyMetadata[?Status=='Active'].AccessKeyId")} --output text); do aws iam update-access-key --user-name ${sh(arn.name)} --access-key-id "$k" --status Inactive; done`],
      notes: ['deactivates every active access key of the user'],
    });
  }
  if (item.action === 'disable' && arn.type === 'role') {
    return step({
      manual: [`aws iam delete-role --role-name ${sh(arn.name)}`],
      notes: ['a role cannot be disabled: detach its policies and instance profiles, then delete it'],
    });
  }
  return step({ notes: [`no AWS CLI step for ${item.action} on IAM ${arn.type} ${arn.name}; act on it in the IAM console`] });
}

export function awsFix(item: FixPlanItem, n: number): FixStep {
  if (item.category === 'credential' && item.kind === 'federated-role') return identityStep({ ...item, nativeId: item.parentId ?? item.nativeId, category: 'identity' });
  return item.category === 'credential' ? credentialStep(item, n) : identityStep(item);
}
