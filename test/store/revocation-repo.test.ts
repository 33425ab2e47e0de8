import { STORE_KINDS } from '../helpers/test-store.ts';
import { revocationRepoSuite } from '../contract/revocation-repo.suite.ts';

for (const kind of STORE_KINDS) revocationRepoSuite(kind);
