import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import AjvDraft04 from 'ajv-draft-04';
import addFormats from 'ajv-formats';

// The OASIS SARIF 2.1.0 schema (JSON Schema draft-04), kept beside the repository with other vectors.
const SCHEMA_FILE = join(import.meta.dirname, '..', '..', '..', '..', 'shared', 'vectors', 'sarif', 'sarif-schema-2.1.0.json');

/** Compiles the schema once; returns a validator giving the errors (empty when valid). */
export function sarifValidator(): (doc: unknown) => string[] {
  // Both packages are CommonJS whose module.exports also carries itself as .default.
  const ajv = new AjvDraft04.default({ allErrors: true, strict: false });
  addFormats.default(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(SCHEMA_FILE, 'utf8')));
  return (doc) => (validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath} ${e.message}`));
}
