import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

/** One Kubernetes manifest from test/fixtures/k8s, parsed as the API server would send it. */
export function manifest(file: string): Record<string, unknown> {
  return parse(readFileSync(new URL(`../../fixtures/k8s/${file}`, import.meta.url), 'utf8')) as Record<string, unknown>;
}
