import { STORE_KINDS } from '../helpers/test-store.ts';
import { auditRepoSuite } from '../contract/audit-repo.suite.ts';

for (const kind of STORE_KINDS) auditRepoSuite(kind);
