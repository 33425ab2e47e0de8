import { STORE_KINDS } from '../helpers/test-store.ts';
import { principalRepoSuite } from '../contract/principal-repo.suite.ts';

for (const kind of STORE_KINDS) principalRepoSuite(kind);
