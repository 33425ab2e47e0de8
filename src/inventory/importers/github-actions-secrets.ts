// GitHub Actions secrets: the REST answers of GET /repos/{owner}/{repo}/actions/secrets and
// GET /orgs/{org}/actions/secrets ({total_count, secrets: [...]}). The API pages (30 by default,
// at most 100), and `gh api --paginate` prints one such object per page one after another, so
// the pages are read in turn and their count is checked against total_count: a partial export
// would otherwise look like deleted secrets. The values are never in the API, only names and dates.
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { jsonDocuments } from './json-documents.ts';
import { jsonElements } from './json-elements.ts';
import { parseExportTime } from './parse-export-time.ts';
import { githubScope } from './github-scope.ts';

const PRODUCED_BY = 'gh api --paginate repos/OWNER/REPO/actions/secrets > secrets.json   (an organization: gh api --paginate orgs/ORG/actions/secrets)';

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

export const githubActionsSecrets: Importer = {
  source: 'github-actions-secrets',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    async function* records(): AsyncGenerator<InventoryRecord> {
      const scope = githubScope(opts.scope, 'repo-or-org');
      const level = scope.includes('/') ? 'repository' : 'organization';
      const seen = new Set<string>();
      let i = 0, pages = 0, total = 0;
      for await (const doc of jsonDocuments(input)) {
        pages++;
        const run = jsonElements(doc, { arrays: ['secrets'], what: `the GitHub Actions secrets response (page ${pages})`, maxElementBytes: 64 * 1024 });
        for await (const el of run.elements) {
          const at = `secrets[${i}]`;
          if (el.key !== 'secrets') fail('file', 'not-secrets', `not a GitHub Actions secrets response (${el.key === '' ? 'a JSON array' : `it has a "${el.key}" array`}); produce it with: ${PRODUCED_BY}`);
          const s = el.value as Record<string, unknown>;
          if (s === null || typeof s !== 'object' || Array.isArray(s)) fail(at, 'object', 'must be an object');
          if (typeof s.name !== 'string' || s.name === '') fail(`${at}.name`, 'required', 'is required');
          const name = s.name as string;
          if (seen.has(name)) fail(at, 'duplicate', `secret ${name} appears twice`);
          seen.add(name);
          const createdAt = parseExportTime(s.created_at, `${at}.created_at`);
          const updatedAt = parseExportTime(s.updated_at, `${at}.updated_at`);
          const visibility = typeof s.visibility === 'string' ? s.visibility : undefined;
          const selected = typeof s.selected_repositories_url === 'string' ? s.selected_repositories_url : undefined;
          i++;
          yield {
            category: 'credential', kind: 'secret', nativeId: `github://${scope}/actions/secrets/${name}`, name, parentId: null,
            owner: null, service: null, environment: null, tier: null,
            createdAt, lastRotatedAt: updatedAt, lastUsedAt: null, expiresAt: null,
            active: true, longLived: true, federated: false,
            attributes: { level, ...(visibility ? { visibility } : {}), ...(selected ? { selectedRepositoriesUrl: selected } : {}) },
          };
        }
        const count = run.top.total_count;
        if (run.rootType() !== 'object' || typeof count !== 'number') {
          fail('file', 'not-secrets', `not a GitHub Actions secrets response (no total_count and secrets); produce it with: ${PRODUCED_BY}`);
        }
        total = Math.max(total, count as number);
      }
      if (pages === 0) fail('file', 'empty', 'the GitHub Actions secrets response: the file is empty');
      if (i < total) {
        fail('file', 'incomplete', `the response lists ${i} of ${total} secrets: fetch every page (gh api --paginate …)`);
      }
    }

    return { records: records(), scope: () => githubScope(opts.scope, 'repo-or-org') };
  },
};
