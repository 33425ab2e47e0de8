// The inventory's model. Every importer turns a platform's own export into InventoryRecords;
// the store keeps one row per (feed, nativeId) and records what changed between imports.

/** Which platform export a record came from (one importer each). */
export type SourceKind =
  | 'aws-credential-report'
  | 'aws-authorization-details'
  | 'kubernetes'
  | 'gcp-service-accounts'
  | 'gcp-service-account-keys'
  | 'github-actions-secrets'
  | 'github-deploy-keys'
  | 'vault-kv-metadata'
  | 'tessera';

export const SOURCE_KINDS: readonly SourceKind[] = [
  'aws-credential-report', 'aws-authorization-details', 'kubernetes', 'gcp-service-accounts',
  'gcp-service-account-keys', 'github-actions-secrets', 'github-deploy-keys', 'vault-kv-metadata', 'tessera',
];

/** An identity is who acts; a credential is what proves it (and what leaks). */
export type Category = 'identity' | 'credential';

/**
 * identity kinds: user (a cloud user used by a machine), role, group, service-account, workload,
 * permission-set (a Kubernetes Role/ClusterRole: privileges bound to principals, never a principal
 * itself). Groups and permission sets carry privileges and graph edges but are not principals:
 * posture counts principals only.
 * credential kinds: static-key (access key, SA key, deploy key, tsk_ key), token (long-lived
 * bearer token, e.g. a legacy service-account-token Secret), certificate, secret (a stored
 * secret value: Actions secret, Vault KV entry), federated-role (access only through OIDC/web
 * identity federation), short-lived-svid (Tessera-issued, minutes).
 */
export type ItemKind =
  | 'user' | 'role' | 'group' | 'service-account' | 'workload' | 'permission-set'
  | 'static-key' | 'token' | 'certificate' | 'secret' | 'federated-role' | 'short-lived-svid';

export interface Privilege {
  /** e.g. "s3:GetObject", "get secrets", "roles/owner". "*" and "service:*" are wildcards. */
  action: string;
  /** e.g. an ARN, "namespaces/prod/secrets", "projects/p"; "*" for any. */
  resource: string;
  /** action or resource is a wildcard. */
  wildcard: boolean;
  /** reaches a sensitive resource: admin/owner, IAM, secrets, key material, or anything with "*". */
  sensitive: boolean;
}

/** An edge of the blast-radius graph: `from` can act as, or through, `to`. */
export interface Edge {
  from: string; // native id
  to: string;   // native id
  relation: 'can-assume' | 'member-of' | 'bound-to' | 'credential-of';
}

export interface InventoryRecord {
  category: Category;
  kind: ItemKind;
  /** Globally unique within the platform: ARN, k8s://cluster/ns/kind/name, GCP resource name, … */
  nativeId: string;
  name: string;
  /** For a credential: native id of the identity it authenticates. */
  parentId?: string | null;
  owner?: string | null;
  /** Service/workload the owner runs it for (from tags), if known. */
  service?: string | null;
  environment?: string | null;
  tier?: string | null;
  /** Epoch milliseconds, or null when the export has no value (N/A, no_information …). */
  createdAt?: number | null;
  lastRotatedAt?: number | null;
  lastUsedAt?: number | null;
  expiresAt?: number | null;
  active: boolean;
  /** A long-lived secret (static key, token, stored secret, certificate of years). */
  longLived: boolean;
  /** Access obtained through federation (OIDC/web identity) or short-lived issuance. */
  federated: boolean;
  privileges?: Privilege[];
  edges?: Edge[];
  /** Source-specific facts worth keeping (tags, labels, last used region/service, key type …). */
  attributes?: Record<string, unknown>;
}

export interface ImportOptions {
  /** Account id, cluster name, project, org/repo …; importers derive one when they can. */
  scope?: string | undefined;
  /** Epoch ms of the import (age-based facts such as "expired" are relative to it). */
  now: number;
}

/** Thrown by importers as TesseraError('ERR_INVALID_INPUT', msg, { field, rule }). */
export interface Importer {
  source: SourceKind;
  /** One line for --help: the command that produces the file. */
  producedBy: string;
  /**
   * Streams records out of the export. Reads the input once, holding at most one record (plus
   * small per-import indexes) in memory. The scope the feed is stored under comes from
   * opts.scope or is derived and returned by scopeOf after parsing.
   */
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun;
}

export interface ImportRun {
  records: AsyncIterable<InventoryRecord>;
  /** Known once `records` is exhausted (e.g. the AWS account id read from ARNs). */
  scope(): string;
}
