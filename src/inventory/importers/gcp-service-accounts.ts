// GCP: `gcloud iam service-accounts list --format=json`, a JSON array of ServiceAccount
// resources. The API has no labels on service accounts, so ownership can only come from
// `owner=…` / `owner: …` tokens people write into the description.
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { jsonElements } from './json-elements.ts';
import { ownershipFromTags } from './ownership-from-tags.ts';

const PRODUCED_BY = 'gcloud iam service-accounts list --project=PROJECT --format=json > service-accounts.json';
const NAME = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)$/;
// `owner=team-a`, `owner: team-a`, `tier=1` … anywhere in free text; values end at whitespace, comma or semicolon.
const TOKEN = /(?:^|[\s,;(])([A-Za-z][\w./-]*)\s*(?:=|:\s)\s*([^\s,;)]+)/g;

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

/** key=value and key: value tokens of a free-text description. */
function descriptionTokens(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const m of text.matchAll(TOKEN)) out[m[1]!.toLowerCase()] ??= m[2]!;
  return out;
}

const optionalString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : fail(field, 'string', 'must be a string');
};

export const gcpServiceAccounts: Importer = {
  source: 'gcp-service-accounts',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    let project: string | undefined = opts.scope?.trim() || undefined;
    const fixedScope = project !== undefined;

    async function* records(): AsyncGenerator<InventoryRecord> {
      const run = jsonElements(input, { what: 'the gcloud service-accounts list', maxElementBytes: 1024 * 1024 });
      const seen = new Set<string>();
      let i = 0;
      for await (const el of run.elements) {
        const at = `[${i}]`;
        if (el.key !== '') fail('file', 'not-a-list', `not a gcloud service-accounts list (a JSON object with a "${el.key}" array); produce it with: ${PRODUCED_BY}`);
        const sa = el.value as Record<string, unknown>;
        if (sa === null || typeof sa !== 'object' || Array.isArray(sa)) fail(at, 'object', 'must be an object');
        if (typeof sa.name !== 'string') fail(`${at}.name`, 'required', 'is required');
        const name = sa.name as string;
        if (name.includes('/keys/')) fail(`${at}.name`, 'not-a-service-account', `${name} is a key: import this file as gcp-service-account-keys`);
        const m = NAME.exec(name);
        if (!m) fail(`${at}.name`, 'format', 'must be projects/<project>/serviceAccounts/<email>');
        const email = optionalString(sa.email, `${at}.email`) ?? m![2]!;
        const projectId = optionalString(sa.projectId, `${at}.projectId`) ?? m![1]!;
        if (!fixedScope) {
          if (project !== undefined && project !== projectId) {
            fail('scope', 'mixed-projects', `the list mixes projects ${project} and ${projectId}; import one project per file or give the scope`);
          }
          project = projectId;
        }
        if (seen.has(name)) fail(at, 'duplicate', `${name} appears twice in the list`);
        seen.add(name);
        if (sa.disabled !== undefined && typeof sa.disabled !== 'boolean') fail(`${at}.disabled`, 'boolean', 'must be true or false');
        const description = optionalString(sa.description, `${at}.description`);
        const displayName = optionalString(sa.displayName, `${at}.displayName`);
        const uniqueId = optionalString(sa.uniqueId, `${at}.uniqueId`);
        const own = ownershipFromTags(description ? descriptionTokens(description) : {});
        i++;
        yield {
          category: 'identity', kind: 'service-account', nativeId: name, name: email, parentId: null,
          owner: own.owner, service: own.service, environment: own.environment, tier: own.tier,
          createdAt: null, lastRotatedAt: null, lastUsedAt: null, expiresAt: null,
          active: sa.disabled !== true, longLived: false, federated: false,
          attributes: {
            projectId, email,
            ...(uniqueId ? { uniqueId } : {}),
            ...(displayName ? { displayName } : {}),
            ...(description ? { description } : {}),
          },
        };
      }
      if (run.rootType() !== 'array') fail('file', 'not-a-list', `not a gcloud service-accounts list (the file is a JSON object); produce it with: ${PRODUCED_BY}`);
    }

    return {
      records: records(),
      scope: () => project ?? fail('scope', 'required', 'the list is empty, so the project is unknown: give the project id as the scope'),
    };
  },
};
