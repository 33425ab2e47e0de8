// GitHub deploy keys: the REST answer of GET /repos/{owner}/{repo}/keys, a JSON array (one per
// page; `gh api --paginate` prints the pages one after another). A deploy key is an SSH key
// with read or write access to one repository and no expiry. Only the public key is in the
// answer; it is not kept, only its SHA-256 fingerprint (the form `ssh-keygen -lf` prints), so
// the same key deployed to several repositories can be recognised.
import { createHash } from 'node:crypto';
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { jsonDocuments } from './json-documents.ts';
import { jsonElements } from './json-elements.ts';
import { parseExportTime } from './parse-export-time.ts';
import { githubScope } from './github-scope.ts';

const PRODUCED_BY = 'gh api --paginate repos/OWNER/REPO/keys > deploy-keys.json';

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

function fingerprint(key: unknown): string | undefined {
  if (typeof key !== 'string') return undefined;
  const blob = key.trim().split(/\s+/)[1];
  if (!blob || !/^[A-Za-z0-9+/]+={0,2}$/.test(blob)) return undefined;
  return `SHA256:${createHash('sha256').update(Buffer.from(blob, 'base64')).digest('base64').replace(/=+$/, '')}`;
}

export const githubDeployKeys: Importer = {
  source: 'github-deploy-keys',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    async function* records(): AsyncGenerator<InventoryRecord> {
      const scope = githubScope(opts.scope, 'repo');
      const seen = new Set<number>();
      let i = 0, pages = 0;
      for await (const doc of jsonDocuments(input)) {
        pages++;
        const run = jsonElements(doc, { what: `the GitHub deploy keys response (page ${pages})`, maxElementBytes: 64 * 1024 });
        for await (const el of run.elements) {
          const at = `[${i}]`;
          if (el.key !== '') fail('file', 'not-deploy-keys', `not a GitHub deploy keys list (a JSON object with a "${el.key}" array); produce it with: ${PRODUCED_BY}`);
          const k = el.value as Record<string, unknown>;
          if (k === null || typeof k !== 'object' || Array.isArray(k)) fail(at, 'object', 'must be an object');
          if (!Number.isSafeInteger(k.id)) fail(`${at}.id`, 'required', 'must be the numeric key id');
          const id = k.id as number;
          if (seen.has(id)) fail(at, 'duplicate', `deploy key ${id} appears twice`);
          seen.add(id);
          if (typeof k.read_only !== 'boolean') fail(`${at}.read_only`, 'boolean', 'must be true or false');
          if (k.enabled !== undefined && k.enabled !== null && typeof k.enabled !== 'boolean') fail(`${at}.enabled`, 'boolean', 'must be true or false');
          const readOnly = k.read_only as boolean;
          const createdAt = parseExportTime(k.created_at, `${at}.created_at`);
          const lastUsedAt = parseExportTime(k.last_used, `${at}.last_used`);
          const title = typeof k.title === 'string' && k.title.trim() !== '' ? k.title : `deploy key ${id}`;
          const fp = fingerprint(k.key);
          i++;
          yield {
            category: 'credential', kind: 'static-key', nativeId: `github://${scope}/keys/${id}`, name: title, parentId: null,
            owner: null, service: null, environment: null, tier: null,
            createdAt, lastRotatedAt: null, lastUsedAt, expiresAt: null,
            active: k.enabled !== false, longLived: true, federated: false,
            // Write access lets the key push code, and so reach whatever the repository builds and deploys.
            privileges: [{ action: readOnly ? 'read' : 'write', resource: `github://${scope}`, wildcard: false, sensitive: !readOnly }],
            attributes: {
              id, readOnly,
              ...(typeof k.verified === 'boolean' ? { verified: k.verified } : {}),
              ...(typeof k.added_by === 'string' ? { addedBy: k.added_by } : {}),
              ...(fp ? { fingerprint: fp } : {}),
            },
          };
        }
        if (run.rootType() !== 'array') fail('file', 'not-deploy-keys', `not a GitHub deploy keys list (page ${pages} is a JSON object); produce it with: ${PRODUCED_BY}`);
      }
      if (pages === 0) fail('file', 'empty', 'the GitHub deploy keys response: the file is empty');
    }

    return { records: records(), scope: () => githubScope(opts.scope, 'repo') };
  },
};
