// Every file importer, by the source kind the CLI and the API name it with. The server's own
// registry (source tessera) is read from the store instead: see tessera-registry.ts.
import type { Importer, SourceKind } from '../types.ts';
import { awsCredentialReport } from './aws-credential-report.ts';
import { awsAuthorizationDetails } from './aws-authorization-details.ts';
import { kubernetes } from './kubernetes.ts';
import { gcpServiceAccounts } from './gcp-service-accounts.ts';
import { gcpServiceAccountKeys } from './gcp-service-account-keys.ts';
import { githubActionsSecrets } from './github-actions-secrets.ts';
import { githubDeployKeys } from './github-deploy-keys.ts';
import { vaultKvMetadata } from './vault-kv-metadata.ts';

export const IMPORTERS: Record<Exclude<SourceKind, 'tessera'>, Importer> = {
  'aws-credential-report': awsCredentialReport,
  'aws-authorization-details': awsAuthorizationDetails,
  kubernetes,
  'gcp-service-accounts': gcpServiceAccounts,
  'gcp-service-account-keys': gcpServiceAccountKeys,
  'github-actions-secrets': githubActionsSecrets,
  'github-deploy-keys': githubDeployKeys,
  'vault-kv-metadata': vaultKvMetadata,
};
