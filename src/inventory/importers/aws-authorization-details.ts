// Imports `aws iam get-account-authorization-details`: users, groups and roles with their tags,
// inline and attached managed policies (→ privileges), group membership and role trust (→ edges
// of the blast-radius graph). The CLI writes the Policies array after the identities that attach
// them, so identity records are buffered until the end and managed policies resolved then. That
// is acceptable for this file only: it describes one account (thousands of entries, not
// millions); every other importer streams record by record.
import { TesseraError } from '../../shared/errors.ts';
import type { Edge, Importer, ImportOptions, ImportRun, InventoryRecord, ItemKind, Privilege } from '../types.ts';
import { jsonElements } from './json-elements.ts';
import { ownershipFromTags } from './ownership-from-tags.ts';
import { parseAwsTimestamp } from './aws-credential-report.ts';

const WHAT = 'the AWS authorization details';
const LISTS = ['UserDetailList', 'GroupDetailList', 'RoleDetailList', 'Policies'];
const ACCOUNT_OF = /^arn:(aws[a-z-]*):iam::(\d{12}):/;
const ADMIN_POLICY = /^arn:aws[a-z-]*:iam::aws:policy\/AdministratorAccess$/;
// Reading any of these hands over credentials or key material; iam:* actions are all sensitive.
const SENSITIVE_ACTIONS = ['sts:assumerole', 'kms:decrypt', 'secretsmanager:getsecretvalue', 'ssm:getparameter', 'ssm:getparameters', 'ssm:getparametersbypath'];

type Obj = Record<string, unknown>;
interface Denied { action: string; resource: string }
interface PolicyFacts { privileges: Privilege[]; denied: Denied[] }
interface Buffered { record: InventoryRecord; managed: string[]; groups: string[]; federatedProviders: string[] }

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const fail = (field: string, rule: string, message: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: ${field}: ${message}`, { field, rule });
};
const notAws = (found: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${WHAT}: not an AWS authorization details export (${found}); produce it with aws iam get-account-authorization-details --output json`, { field: 'file', rule: 'kind' });
};

/** IAM action names are case-insensitive; `*` and `?` are the only wildcards. */
const globs = new Map<string, RegExp>();
function matches(pattern: string, action: string): boolean {
  let re = globs.get(pattern);
  if (!re) {
    re = new RegExp(`^${pattern.toLowerCase().replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`);
    globs.set(pattern, re);
  }
  return re.test(action);
}
const sensitiveAction = (a: string) => a.toLowerCase().startsWith('iam:') || SENSITIVE_ACTIONS.some((s) => matches(a, s));

function strings(v: unknown, field: string): string[] {
  if (typeof v === 'string') return [v];
  if (Array.isArray(v) && v.every((x) => typeof x === 'string')) return v as string[];
  return fail(field, 'policy', 'must be a string or a list of strings');
}

/** A policy document as the CLI prints it (an object) or as the API returns it (URL-encoded JSON). */
function policyDocument(doc: unknown, field: string): Obj {
  if (typeof doc === 'string') {
    try { doc = JSON.parse(doc.trim().startsWith('{') ? doc : decodeURIComponent(doc)); } catch { fail(field, 'policy', 'is not a JSON policy document'); }
  }
  if (!isObj(doc)) return fail(field, 'policy', 'is not a policy document object');
  return doc;
}

function statements(doc: Obj, field: string): Obj[] {
  const list = Array.isArray(doc.Statement) ? doc.Statement : doc.Statement === undefined ? [] : [doc.Statement];
  return list.map((s, i) => (isObj(s) ? s : fail(`${field}.Statement[${i}]`, 'policy', 'is not a statement object')));
}

function policyFacts(raw: unknown, field: string, admin: boolean): PolicyFacts {
  const doc = policyDocument(raw, field);
  const facts: PolicyFacts = { privileges: [], denied: [] };
  statements(doc, field).forEach((st, i) => {
    const at = `${field}.Statement[${i}]`;
    const except = (list: string[]) => `* except ${list.join(', ')}`;
    // NotAction / NotResource grant everything but the listed ones: a wildcard by construction.
    const actions = st.NotAction !== undefined ? [except(strings(st.NotAction, `${at}.NotAction`))] : strings(st.Action ?? '*', `${at}.Action`);
    const resources = st.NotResource !== undefined ? [except(strings(st.NotResource, `${at}.NotResource`))] : strings(st.Resource ?? '*', `${at}.Resource`);
    const negated = st.NotAction !== undefined || st.NotResource !== undefined;
    for (const action of actions) {
      for (const resource of resources) {
        if (st.Effect === 'Deny') { facts.denied.push({ action, resource }); continue; }
        if (st.Effect !== 'Allow') fail(`${at}.Effect`, 'policy', 'must be Allow or Deny');
        const wildcard = negated || action === '*' || action.endsWith(':*') || resource === '*';
        facts.privileges.push({ action, resource, wildcard, sensitive: wildcard || admin || sensitiveAction(action) });
      }
    }
  });
  return facts;
}

function mergeFacts(into: PolicyFacts, from: PolicyFacts): void {
  const have = new Set(into.privileges.map((p) => `${p.action}\n${p.resource}`));
  for (const p of from.privileges) if (!have.has(`${p.action}\n${p.resource}`)) { have.add(`${p.action}\n${p.resource}`); into.privileges.push(p); }
  into.denied.push(...from.denied);
}

function list(el: Obj, key: string, where: string): Obj[] {
  const v = el[key];
  if (v === undefined || v === null) return [];
  if (!Array.isArray(v)) return fail(`${where}.${key}`, 'type', 'must be a list');
  return v.map((x, i) => (isObj(x) ? x : fail(`${where}.${key}[${i}]`, 'type', 'must be an object')));
}

function str(el: Obj, key: string, where: string): string {
  const v = el[key];
  return typeof v === 'string' && v !== '' ? v : fail(`${where}.${key}`, 'required', 'is missing or not a string');
}

function date(v: unknown, field: string): number | null {
  if (v === undefined || v === null) return null;
  const t = typeof v === 'string' ? parseAwsTimestamp(v) : undefined;
  return t === undefined ? fail(field, 'date', `${JSON.stringify(v)} is not an ISO 8601 date-time`) : t;
}

/** The default version's document of a managed policy from the Policies array. */
function managedPolicy(el: Obj, where: string): { arn: string; facts: PolicyFacts } {
  const arn = str(el, 'Arn', where);
  const versions = list(el, 'PolicyVersionList', where);
  const version = versions.find((v) => v.IsDefaultVersion === true) ?? versions.find((v) => v.VersionId === el.DefaultVersionId);
  if (!version) return fail(`${where}.PolicyVersionList`, 'required', `policy ${arn} has no default version`);
  return { arn, facts: policyFacts(version.Document, `${where}.PolicyVersionList[${versions.indexOf(version)}].Document`, ADMIN_POLICY.test(arn)) };
}

interface Trust { trust: string; principals: string[]; services: string[]; providers: string[]; anyPrincipal: boolean }

function roleTrust(raw: unknown, where: string): Trust {
  const t: Trust = { trust: 'none', principals: [], services: [], providers: [], anyPrincipal: false };
  if (raw === undefined || raw === null) return t;
  const field = `${where}.AssumeRolePolicyDocument`;
  const add = (to: string[], v: string) => { if (!to.includes(v)) to.push(v); };
  let web = false, saml = false;
  statements(policyDocument(raw, field), field).forEach((st, i) => {
    if (st.Effect !== 'Allow') return;
    const actions = strings(st.Action ?? [], `${field}.Statement[${i}].Action`);
    const allows = (a: string) => actions.some((p) => matches(p, a));
    const p = st.Principal;
    if (p === '*') { if (allows('sts:assumerole')) t.anyPrincipal = true; return; }
    if (!isObj(p)) return;
    if (p.AWS !== undefined && allows('sts:assumerole')) {
      for (const a of strings(p.AWS, `${field}.Statement[${i}].Principal.AWS`)) {
        if (a === '*') t.anyPrincipal = true;
        else add(t.principals, /^\d{12}$/.test(a) ? `arn:aws:iam::${a}:root` : a);
      }
    }
    if (p.Service !== undefined) for (const s of strings(p.Service, `${field}.Statement[${i}].Principal.Service`)) add(t.services, s);
    if (p.Federated !== undefined) {
      const providers = strings(p.Federated, `${field}.Statement[${i}].Principal.Federated`);
      if (allows('sts:assumerolewithwebidentity')) { web = true; providers.forEach((f) => add(t.providers, f)); }
      else if (allows('sts:assumerolewithsaml')) { saml = true; providers.forEach((f) => add(t.providers, f)); }
    }
  });
  t.trust = web ? 'web-identity' : saml ? 'saml' : t.principals.length > 0 || t.anyPrincipal ? 'aws' : t.services.length > 0 ? 'service' : 'none';
  return t;
}

const KINDS: Record<string, { kind: ItemKind; name: string; id: string; inline: string }> = {
  UserDetailList: { kind: 'user', name: 'UserName', id: 'UserId', inline: 'UserPolicyList' },
  GroupDetailList: { kind: 'group', name: 'GroupName', id: 'GroupId', inline: 'GroupPolicyList' },
  RoleDetailList: { kind: 'role', name: 'RoleName', id: 'RoleId', inline: 'RolePolicyList' },
};

function identity(key: string, el: Obj, where: string): Buffered {
  const k = KINDS[key]!;
  const arn = str(el, 'Arn', where), name = str(el, k.name, where);
  const tags: Record<string, string> = {};
  for (const [i, tag] of list(el, 'Tags', where).entries()) {
    if (typeof tag.Key !== 'string' || typeof tag.Value !== 'string') fail(`${where}.Tags[${i}]`, 'type', 'must have a string Key and Value');
    tags[tag.Key as string] = tag.Value as string;
  }
  const facts: PolicyFacts = { privileges: [], denied: [] };
  const inline = list(el, k.inline, where).map((p, i) => {
    const policyName = str(p, 'PolicyName', `${where}.${k.inline}[${i}]`);
    mergeFacts(facts, policyFacts(p.PolicyDocument, `${where}.${k.inline}[${i}].PolicyDocument`, false));
    return policyName;
  });
  const managed = list(el, 'AttachedManagedPolicies', where).map((p, i) => str(p, 'PolicyArn', `${where}.AttachedManagedPolicies[${i}]`));
  const groups = key === 'UserDetailList' ? strings(el.GroupList ?? [], `${where}.GroupList`) : [];
  const path = typeof el.Path === 'string' ? el.Path : '/';
  const attributes: Obj = { path, id: typeof el[k.id] === 'string' ? el[k.id] : null, tags, inlinePolicies: inline, managedPolicies: managed };
  if (facts.denied.length > 0) attributes.denied = facts.denied;
  if (isObj(el.PermissionsBoundary) && typeof el.PermissionsBoundary.PermissionsBoundaryArn === 'string') attributes.permissionsBoundary = el.PermissionsBoundary.PermissionsBoundaryArn;
  let federated = false, lastUsedAt: number | null = null, providers: string[] = [];
  const edges: Edge[] = [];
  if (k.kind === 'role') {
    const trust = roleTrust(el.AssumeRolePolicyDocument, where);
    federated = trust.trust === 'web-identity';
    providers = trust.providers;
    Object.assign(attributes, { trust: trust.trust, trustedPrincipals: trust.principals, trustedServices: trust.services, federatedProviders: trust.providers });
    if (trust.anyPrincipal) attributes.anyPrincipal = true;
    if (path.startsWith('/aws-service-role/')) attributes.serviceLinked = true;
    for (const from of trust.principals) edges.push({ from, to: arn, relation: 'can-assume' });
    if (isObj(el.RoleLastUsed)) {
      lastUsedAt = date(el.RoleLastUsed.LastUsedDate, `${where}.RoleLastUsed.LastUsedDate`);
      if (typeof el.RoleLastUsed.Region === 'string') attributes.lastUsedRegion = el.RoleLastUsed.Region;
    }
  }
  const record: InventoryRecord = {
    category: 'identity', kind: k.kind, nativeId: arn, name, parentId: null, ...ownershipFromTags(tags),
    createdAt: date(el.CreateDate, `${where}.CreateDate`), lastRotatedAt: null, lastUsedAt, expiresAt: null,
    active: true, longLived: false, federated, privileges: facts.privileges, edges, attributes,
  };
  return { record, managed, groups, federatedProviders: providers };
}

/** The AWS-managed AdministratorAccess document, for exports filtered without the Policies list. */
const ADMIN_FACTS: PolicyFacts = { privileges: [{ action: '*', resource: '*', wildcard: true, sensitive: true }], denied: [] };

async function* readDetails(input: AsyncIterable<Buffer | string>, setAccount: (a: string) => void): AsyncGenerator<InventoryRecord> {
  const run = jsonElements(input, { what: WHAT, maxElementBytes: 16 * 1024 * 1024 });
  const buffered: Buffered[] = [];
  const policies = new Map<string, PolicyFacts>();
  const seen = new Set<string>();
  const groupArns = new Map<string, string>();
  const counts = new Map<string, number>();
  let account: string | undefined, partition = 'aws', sawAws = false;
  const checkKind = () => {
    if (run.rootType() === 'array') notAws('the document is an array, not an object');
    const { kind, apiVersion } = run.top;
    if (typeof kind === 'string' || typeof apiVersion === 'string') notAws(`it has kind ${String(kind ?? '-')}, apiVersion ${String(apiVersion ?? '-')}`);
  };
  // Top-level arrays other than the four are streamed too (not held), so a file of another kind
  // is refused at its first element instead of being read whole.
  for await (const { key, value } of run.elements) {
    checkKind();
    const index = counts.get(key) ?? 0;
    counts.set(key, index + 1);
    if (!LISTS.includes(key)) { if (!sawAws) notAws(`it has a top-level "${key || '[]'}" array`); continue; }
    sawAws = true;
    const where = `${key}[${index}]`;
    if (!isObj(value)) fail(where, 'type', 'must be an object');
    const el = value as Obj;
    if (key === 'Policies') {
      const { arn, facts } = managedPolicy(el, where);
      if (policies.has(arn)) fail(`${where}.Arn`, 'duplicate', `policy ${arn} appears twice`);
      policies.set(arn, facts);
      continue;
    }
    const b = identity(key, el, where);
    const arn = b.record.nativeId;
    const m = ACCOUNT_OF.exec(arn);
    if (!m) fail(`${where}.Arn`, 'arn', `${JSON.stringify(arn)} is not an IAM ARN`);
    if (account === undefined) { partition = m![1]!; account = m![2]!; setAccount(account); }
    else if (m![2] !== account) fail(`${where}.Arn`, 'account', `${arn} belongs to account ${m![2]}, the entries before to ${account}; an export covers one account`);
    if (seen.has(arn)) fail(`${where}.Arn`, 'duplicate', `${arn} appears twice`);
    seen.add(arn);
    if (key === 'GroupDetailList') groupArns.set(b.record.name, arn);
    buffered.push(b);
  }
  checkKind();
  if (!sawAws && !('IsTruncated' in run.top)) notAws(`none of ${LISTS.join(', ')} is present`);
  // --max-items / --no-paginate leave a partial page; importing it would mark the rest removed.
  if (run.top.IsTruncated === true || run.top.NextToken !== undefined) fail('file', 'truncated', 'the export is one page of a paginated result (IsTruncated/NextToken); run the command without --max-items or --no-paginate');

  for (const b of buffered) {
    const facts: PolicyFacts = { privileges: b.record.privileges!, denied: (b.record.attributes!.denied as Denied[] | undefined) ?? [] };
    const unresolved: string[] = [];
    for (const arn of b.managed) {
      const found = policies.get(arn) ?? (ADMIN_POLICY.test(arn) ? ADMIN_FACTS : undefined);
      if (found) mergeFacts(facts, found); else unresolved.push(arn);
    }
    if (facts.denied.length > 0) b.record.attributes!.denied = facts.denied;
    if (unresolved.length > 0) b.record.attributes!.unresolvedPolicies = unresolved;
    for (const g of b.groups) {
      b.record.edges!.push({ from: b.record.nativeId, to: groupArns.get(g) ?? `arn:${partition}:iam::${account}:group/${g}`, relation: 'member-of' });
    }
    yield b.record;
    if (b.record.federated) {
      // Access to a web-identity role comes from short-lived OIDC tokens: count it as such.
      const r = b.record;
      yield {
        category: 'credential', kind: 'federated-role', nativeId: `${r.nativeId}/web-identity`, name: `${r.name} web identity`,
        parentId: r.nativeId, owner: r.owner ?? null, service: r.service ?? null, environment: r.environment ?? null, tier: r.tier ?? null,
        createdAt: r.createdAt ?? null, lastRotatedAt: null, lastUsedAt: r.lastUsedAt ?? null, expiresAt: null,
        active: true, longLived: false, federated: true, attributes: { providers: b.federatedProviders },
      };
    }
  }
}

export const awsAuthorizationDetails: Importer = {
  source: 'aws-authorization-details',
  producedBy: 'aws iam get-account-authorization-details --output json > auth.json',
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    let account: string | undefined;
    return {
      records: readDetails(input, (a) => { account = a; }),
      scope: () => {
        if (opts.scope) return opts.scope;
        if (account) return account;
        throw new TesseraError('ERR_INVALID_INPUT', `${WHAT} has no users, groups or roles to read the account id from; give the scope (account id) explicitly`, { field: 'scope', rule: 'required' });
      },
    };
  },
};
