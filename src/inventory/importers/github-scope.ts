// The scope of a GitHub import names where the export came from: the REST answers for secrets
// and deploy keys do not say which repository or organization they belong to.
import { TesseraError } from '../../shared/errors.ts';

const OWNER = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,38})';
const REPO = '[A-Za-z0-9._-]{1,100}';
const PATTERNS = {
  repo: new RegExp(`^${OWNER}/${REPO}$`),
  'repo-or-org': new RegExp(`^${OWNER}(?:/${REPO})?$`),
};

/** The trimmed scope, or ERR_INVALID_INPUT on field 'scope' when it is missing or malformed. */
export function githubScope(scope: string | undefined, accepts: keyof typeof PATTERNS): string {
  const expected = accepts === 'repo' ? 'OWNER/REPO' : 'OWNER/REPO or ORG';
  const s = scope?.trim() ?? '';
  if (s === '') {
    throw new TesseraError('ERR_INVALID_INPUT', `scope: is required: the GitHub response does not name its ${accepts === 'repo' ? 'repository' : 'repository or organization'}; give ${expected}`,
      { field: 'scope', rule: 'required' });
  }
  if (!PATTERNS[accepts].test(s)) {
    throw new TesseraError('ERR_INVALID_INPUT', `scope: must be ${expected}, got ${JSON.stringify(s.slice(0, 100))}`, { field: 'scope', rule: 'format' });
  }
  return s;
}
