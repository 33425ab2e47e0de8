import { stringify } from 'yaml';
import type { PolicyException } from './types.ts';

/** The offline file `tessera policy check --exceptions FILE` reads: active exceptions, as YAML. */
export function exceptionsYaml(list: readonly PolicyException[]): string {
  return stringify({
    exceptions: list.map((e) => ({
      name: e.name, policy: e.policy, scope: { ...e.scope }, expiresAt: new Date(e.expiresAt).toISOString(),
      owner: e.owner, reason: e.reason,
    })),
  });
}
