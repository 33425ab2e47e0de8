import { STORE_KINDS } from '../helpers/test-store.ts';
import { keyRepoSuite } from '../contract/key-repo.suite.ts';

for (const kind of STORE_KINDS) keyRepoSuite(kind);
