// GCP: `gcloud iam service-accounts keys list --iam-account=EMAIL --format=json` (a JSON array of
// ServiceAccountKey resources). gcloud lists one account at a time, so the expected file is a loop
// over the accounts writing the arrays one after another; one array (or a `jq -s add` of them)
// works too. User-managed keys are the long-lived secrets people download; system-managed keys
// stay inside Google and are rotated by it.
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { jsonDocuments } from './json-documents.ts';
import { jsonElements } from './json-elements.ts';
import { parseExportTime } from './parse-export-time.ts';

const PRODUCED_BY = 'for sa in $(gcloud iam service-accounts list --project=PROJECT --format="value(email)"); do '
  + 'gcloud iam service-accounts keys list --iam-account="$sa" --project=PROJECT --format=json; done > keys.json';
const NAME = /^projects\/([^/]+)\/serviceAccounts\/([^/]+)\/keys\/([^/]+)$/;
const KEY_TYPES = new Set(['USER_MANAGED', 'SYSTEM_MANAGED']);
// The API's "never expires": validBeforeTime 9999-12-31T23:59:59Z.
const NO_EXPIRY_YEAR = 9999;

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

const optionalString = (v: unknown, field: string): string | undefined => {
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' ? v : fail(field, 'string', 'must be a string');
};

export const gcpServiceAccountKeys: Importer = {
  source: 'gcp-service-account-keys',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    let project: string | undefined = opts.scope?.trim() || undefined;
    const fixedScope = project !== undefined;

    async function* records(): AsyncGenerator<InventoryRecord> {
      const seen = new Set<string>();
      let i = 0, documents = 0;
      for await (const doc of jsonDocuments(input)) {
        documents++;
        const run = jsonElements(doc, { what: `the gcloud keys list (document ${documents})`, maxElementBytes: 1024 * 1024 });
        for await (const el of run.elements) {
          const at = `[${i}]`;
          if (el.key !== '') fail('file', 'not-a-list', `not a gcloud keys list (a JSON object with a "${el.key}" array); produce it with: ${PRODUCED_BY}`);
          const key = el.value as Record<string, unknown>;
          if (key === null || typeof key !== 'object' || Array.isArray(key)) fail(at, 'object', 'must be an object');
          if (typeof key.name !== 'string') fail(`${at}.name`, 'required', 'is required');
          const name = key.name as string;
          const m = NAME.exec(name);
          if (!m) {
            fail(`${at}.name`, 'format', /\/serviceAccounts\/[^/]+$/.test(name)
              ? `${name} is a service account, not a key: import this file as gcp-service-accounts`
              : 'must be projects/<project>/serviceAccounts/<email>/keys/<key id>');
          }
          const [, projectId, email, keyId] = m as unknown as [string, string, string, string];
          if (!fixedScope) {
            if (project !== undefined && project !== projectId) {
              fail('scope', 'mixed-projects', `the file mixes projects ${project} and ${projectId}; import one project per file or give the scope`);
            }
            project = projectId;
          }
          if (seen.has(name)) fail(at, 'duplicate', `${name} appears twice (was one account listed twice?)`);
          seen.add(name);
          const keyType = key.keyType;
          if (typeof keyType !== 'string' || !KEY_TYPES.has(keyType)) fail(`${at}.keyType`, 'key-type', 'must be USER_MANAGED or SYSTEM_MANAGED');
          if (key.disabled !== undefined && typeof key.disabled !== 'boolean') fail(`${at}.disabled`, 'boolean', 'must be true or false');
          const validAfter = parseExportTime(key.validAfterTime, `${at}.validAfterTime`);
          const validBefore = parseExportTime(key.validBeforeTime, `${at}.validBeforeTime`);
          const userManaged = keyType === 'USER_MANAGED';
          const keyAlgorithm = optionalString(key.keyAlgorithm, `${at}.keyAlgorithm`);
          const keyOrigin = optionalString(key.keyOrigin, `${at}.keyOrigin`);
          i++;
          yield {
            category: 'credential', kind: 'static-key', nativeId: name, name: `${email}/${keyId}`,
            parentId: name.slice(0, name.indexOf('/keys/')),
            owner: null, service: null, environment: null, tier: null,
            createdAt: validAfter, lastRotatedAt: null, lastUsedAt: null,
            expiresAt: validBefore !== null && new Date(validBefore).getUTCFullYear() < NO_EXPIRY_YEAR ? validBefore : null,
            active: key.disabled !== true, longLived: userManaged, federated: false,
            attributes: {
              keyId, serviceAccountEmail: email, projectId, keyType, managed: userManaged ? 'user' : 'system',
              ...(keyAlgorithm ? { keyAlgorithm } : {}),
              ...(keyOrigin ? { keyOrigin } : {}),
            },
          };
        }
        if (run.rootType() !== 'array') fail('file', 'not-a-list', `not a gcloud keys list (document ${documents} is a JSON object); produce it with: ${PRODUCED_BY}`);
      }
      if (documents === 0) fail('file', 'empty', 'the gcloud keys list: the file is empty');
    }

    return {
      records: records(),
      scope: () => project ?? fail('scope', 'required', 'the file lists no keys, so the project is unknown: give the project id as the scope'),
    };
  },
};
