import { STORE_KINDS } from '../helpers/test-store.ts';
import { identityRepoSuite } from '../contract/identity-repo.suite.ts';

for (const kind of STORE_KINDS) identityRepoSuite(kind);
