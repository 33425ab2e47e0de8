// HashiCorp Vault KV v2: `vault kv metadata get -format=json <path>` prints one secret's metadata
// (dates, versions, custom_metadata; never the value) but not its path. The input is therefore
// one JSON object keyed by "<mount>/<path>", each value the unchanged output of that command:
//
//   {"secret/payments/db": {"request_id": "…", "data": {"created_time": "…", "versions": {…}, …}}, …}
//
// made by the loop in test/fixtures/inventory/vault/README.md (vault kv list walked recursively,
// then metadata get per key). The object is read one member at a time, so its size does not matter.
import { TesseraError } from '../../shared/errors.ts';
import type { Importer, ImportOptions, ImportRun, InventoryRecord } from '../types.ts';
import { jsonObjectMembers } from './json-object-members.ts';
import { ownershipFromTags } from './ownership-from-tags.ts';
import { parseExportTime } from './parse-export-time.ts';

const PRODUCED_BY = '{"MOUNT/PATH": <vault kv metadata get -format=json MOUNT/PATH>, …} for every key `vault kv list -format=json` finds under MOUNT (walked recursively)';
// Members of a single metadata get output: the file was not wrapped by path.
const RESPONSE_KEYS = new Set(['request_id', 'lease_id', 'lease_duration', 'renewable', 'warnings', 'mount_type']);

const fail = (field: string, rule: string, msg: string): never => {
  throw new TesseraError('ERR_INVALID_INPUT', `${field}: ${msg}`, { field, rule });
};

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/** Vault writes "" for "not deleted"; Go's zero time means the same. */
function vaultTime(v: unknown, field: string): number | null {
  const t = parseExportTime(v, field);
  return t !== null && new Date(t).getUTCFullYear() <= 1 ? null : t;
}

export const vaultKvMetadata: Importer = {
  source: 'vault-kv-metadata',
  producedBy: PRODUCED_BY,
  parse(input: AsyncIterable<Buffer | string>, opts: ImportOptions): ImportRun {
    const scope = opts.scope?.trim() || 'vault';

    async function* records(): AsyncGenerator<InventoryRecord> {
      const seen = new Set<string>();
      const members = jsonObjectMembers(input, {
        what: 'the Vault KV metadata file',
        notObject: (key) => (RESPONSE_KEYS.has(key)
          ? `this is a single \`vault kv metadata get\` output; wrap the outputs in one object keyed by "<mount>/<path>" (${PRODUCED_BY})`
          : `the value of ${JSON.stringify(key)} is not a \`vault kv metadata get -format=json\` output; the file must be an object keyed by "<mount>/<path>"`),
      });
      for await (const { key, value } of members) {
        const at = `[${JSON.stringify(key)}]`;
        const slash = key.indexOf('/');
        if (slash <= 0 || slash === key.length - 1 || key.endsWith('/')) fail(at, 'path', 'the key must be "<mount>/<path>" of a secret (not a folder)');
        if (seen.has(key)) fail(at, 'duplicate', `${key} appears twice`);
        seen.add(key);
        const data = (value as Record<string, unknown>).data;
        if (!isObject(data)) fail(`${at}.data`, 'required', 'is required: not a `vault kv metadata get -format=json` output');
        const d = data as Record<string, unknown>;
        if (Array.isArray(d.keys)) fail(`${at}.data`, 'kv-list', 'is a `vault kv list` output; give `vault kv metadata get` outputs');
        if (!Number.isSafeInteger(d.current_version) || (d.current_version as number) < 0) fail(`${at}.data.current_version`, 'required', 'must be a version number');
        if (!isObject(d.versions)) fail(`${at}.data.versions`, 'required', 'must be an object of versions');
        const custom = d.custom_metadata ?? {};
        if (!isObject(custom) || !Object.values(custom).every((v) => typeof v === 'string')) fail(`${at}.data.custom_metadata`, 'string-map', 'must be a map of strings or null');
        const customMetadata = custom as Record<string, string>;
        const currentVersion = d.current_version as number;
        const versions = d.versions as Record<string, unknown>;
        const current = versions[String(currentVersion)];
        // A key made only with `metadata put` has version 0 and holds no secret yet.
        let state: 'current' | 'deleted' | 'destroyed' | 'empty' = 'empty';
        let expiresAt: number | null = null;
        if (current !== undefined) {
          if (!isObject(current)) fail(`${at}.data.versions["${currentVersion}"]`, 'object', 'must be an object');
          const v = current as Record<string, unknown>;
          const deletion = vaultTime(v.deletion_time, `${at}.data.versions["${currentVersion}"].deletion_time`);
          if (v.destroyed === true) state = 'destroyed';
          else if (deletion !== null && deletion <= opts.now) state = 'deleted';
          else { state = 'current'; expiresAt = deletion; } // a future deletion_time comes from delete_version_after
        }
        const own = ownershipFromTags(customMetadata);
        const maxVersions = d.max_versions, deleteAfter = d.delete_version_after;
        yield {
          category: 'credential', kind: 'secret', nativeId: `vault://${scope}/${key}`, name: key, parentId: null,
          owner: own.owner, service: own.service, environment: own.environment, tier: own.tier,
          createdAt: vaultTime(d.created_time, `${at}.data.created_time`),
          lastRotatedAt: vaultTime(d.updated_time, `${at}.data.updated_time`),
          lastUsedAt: null, expiresAt,
          active: state === 'current', longLived: true, federated: false,
          attributes: {
            mount: key.slice(0, slash), path: key.slice(slash + 1), currentVersion, state, versions: Object.keys(versions).length,
            ...(typeof maxVersions === 'number' && maxVersions > 0 ? { maxVersions } : {}),
            ...(typeof deleteAfter === 'string' && deleteAfter !== '' && deleteAfter !== '0s' ? { deleteVersionAfter: deleteAfter } : {}),
            ...(Object.keys(customMetadata).length ? { customMetadata } : {}),
          },
        };
      }
    }

    return { records: records(), scope: () => scope };
  },
};
