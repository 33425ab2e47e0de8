import { readFile, writeFile } from 'node:fs/promises';
import { TesseraError } from '../../shared/errors.ts';
import type { Finding } from '../engine/types.ts';

/**
 * Baseline file: `{ "version": 1, "fingerprints": [{ "fingerprint", "detector", "path" }] }`.
 * Only the fingerprint counts; detector and path are there for the reviewer.
 */
export async function readBaseline(file: string): Promise<Set<string>> {
  let text: string;
  try { text = await readFile(file, 'utf8'); } catch (e) {
    throw new TesseraError('ERR_INVALID_INPUT', `--baseline ${file}: ${(e as Error).message}`, { field: '--baseline', rule: 'readable' });
  }
  let doc: unknown;
  try { doc = JSON.parse(text); } catch {
    throw new TesseraError('ERR_INVALID_INPUT', `--baseline ${file} is not JSON`, { field: '--baseline', rule: 'json' });
  }
  const list = (doc as { fingerprints?: unknown })?.fingerprints;
  if (!Array.isArray(list)) throw new TesseraError('ERR_INVALID_INPUT', `--baseline ${file} has no "fingerprints" list`, { field: '--baseline', rule: 'format' });
  const out = new Set<string>();
  for (const e of list) {
    const fp = typeof e === 'string' ? e : (e as { fingerprint?: unknown })?.fingerprint;
    if (typeof fp !== 'string' || !/^[0-9a-f]{16,64}$/.test(fp)) throw new TesseraError('ERR_INVALID_INPUT', `--baseline ${file}: bad fingerprint entry ${JSON.stringify(e)}`, { field: '--baseline', rule: 'format' });
    out.add(fp);
  }
  return out;
}

export async function writeBaseline(file: string, findings: readonly Finding[]): Promise<number> {
  const seen = new Map<string, { fingerprint: string; detector: string; path: string }>();
  for (const f of findings) if (!seen.has(f.fingerprint)) seen.set(f.fingerprint, { fingerprint: f.fingerprint, detector: f.detector, path: f.path });
  const fingerprints = [...seen.values()].sort((a, b) => a.path.localeCompare(b.path) || a.fingerprint.localeCompare(b.fingerprint));
  await writeFile(file, `${JSON.stringify({ version: 1, fingerprints }, null, 2)}\n`);
  return fingerprints.length;
}
