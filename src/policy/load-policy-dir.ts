// Policy files: every *.yaml / *.yml in one directory (not recursive), each holding one or more
// YAML documents. Read and checked as a whole: one bad document fails the load, naming it.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TesseraError } from '../shared/errors.ts';
import { parsePolicyDocument } from './parse-policy-document.ts';
import type { PolicyDefinition } from './types.ts';

export interface SourcedPolicy { definition: PolicyDefinition; source: string }

/** Parses one file's text: several documents, empty ones skipped. */
export function parsePolicyFile(text: string, file: string): SourcedPolicy[] {
  const out: SourcedPolicy[] = [];
  parseAllDocuments(text).forEach((doc, i) => {
    const at = `${file}#${i + 1}`;
    if (doc.errors.length > 0) {
      throw new TesseraError('ERR_INVALID_INPUT', `${at}: not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`, { field: at, rule: 'YAML' });
    }
    const value: unknown = doc.toJS();
    if (value === null || value === undefined) return;
    out.push({ definition: parsePolicyDocument(value, at), source: file });
  });
  return out;
}

/** Every policy in the directory; a missing directory is an empty one. */
export function loadPolicyDir(dir: string): SourcedPolicy[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new TesseraError('ERR_CONFIG', `policyDir: cannot read ${dir}: ${(e as Error).message}`, { field: 'policyDir', rule: 'readable' });
  }
  return names.flatMap((n) => parsePolicyFile(readFileSync(join(dir, n), 'utf8'), n));
}
