// `tessera inventory import --source KIND FILE` and POST /v1/inventory/imports: picks the
// importer, runs it inside one transaction, then (in the same transaction) links workloads and
// stores the posture metrics of the new snapshot for the trend.
import { createHash } from 'node:crypto';
import type { Clock } from '../shared/clock.ts';
import type { RequestContext } from '../shared/context.ts';
import { TesseraError } from '../shared/errors.ts';
import type { Store } from '../store/index.ts';
import { applyImport, type ImportResult } from './apply-import.ts';
import { correlate, type CorrelationRule } from './correlate.ts';
import { IMPORTERS } from './importers/index.ts';
import { tesseraRegistry } from './importers/tessera-registry.ts';
import { recordPostureHistory } from './record-posture-history.ts';
import type { ImportRun, InventoryRecord, SourceKind } from './types.ts';
import { SOURCE_KINDS } from './types.ts';
import type { SpooledExport } from './spool-export.ts';

export interface InventoryDeps {
  store: Store;
  clock: Clock;
  correlationRules: readonly CorrelationRule[];
  posture: { unusedDays: number };
}

export interface RunImportRequest {
  source: string;
  scope?: string | undefined;
  /** The export (absent for source tessera, which reads the server's own registry). */
  file?: SpooledExport | undefined;
  onProgress?: ((records: number) => void) | undefined;
}

export function checkSource(source: string): SourceKind {
  if (!(SOURCE_KINDS as readonly string[]).includes(source)) {
    throw new TesseraError('ERR_INVALID_INPUT', `source: "${source}" is not a known export kind (one of ${SOURCE_KINDS.join(', ')})`, { field: 'source', rule: 'one of' });
  }
  return source as SourceKind;
}

export function checkScope(scope: string | undefined): string | undefined {
  if (scope !== undefined && !/^[A-Za-z0-9._:@/-]{1,200}$/.test(scope)) {
    throw new TesseraError('ERR_INVALID_INPUT', 'scope: must be 1–200 letters, digits or . _ : @ / - (an account id, cluster, project or owner/repo)', { field: 'scope', rule: 'pattern' });
  }
  return scope;
}

/** The server's own registry as an import run; its digest covers every record it yielded. */
function registryRun(store: Store, now: number): { run: ImportRun; digest: () => string } {
  const hash = createHash('sha256');
  async function* records(): AsyncGenerator<InventoryRecord> {
    for await (const r of tesseraRegistry(store, now)) { hash.update(JSON.stringify(r)); yield r; }
  }
  let digest: string | undefined;
  return { run: { records: records(), scope: () => 'registry' }, digest: () => (digest ??= hash.digest('hex')) };
}

export async function runImport(deps: InventoryDeps, ctx: RequestContext, req: RunImportRequest): Promise<ImportResult> {
  const source = checkSource(req.source);
  const scope = checkScope(req.scope);
  const now = deps.clock.now();
  let run: ImportRun, digest: () => string;
  if (source === 'tessera') {
    if (req.file) throw new TesseraError('ERR_INVALID_INPUT', 'file: source tessera reads the server\'s own registry and takes no file', { field: 'file', rule: 'not allowed' });
    ({ run, digest } = registryRun(deps.store, now));
  } else {
    const file = req.file;
    if (!file || file.bytes === 0) throw new TesseraError('ERR_INVALID_INPUT', `file: the ${source} export is empty`, { field: 'file', rule: 'required' });
    run = IMPORTERS[source].parse(file.chunks(), { scope, now });
    digest = () => file.digest;
  }
  return applyImport({
    store: deps.store, clock: deps.clock,
    afterImport: async (tx, importId, at) => {
      await correlate(tx, deps.store.inventory, { rules: deps.correlationRules, at, by: ctx.actor.id });
      await recordPostureHistory(tx, deps.store.inventory, { importId, now: at, unusedDays: deps.posture.unusedDays });
    },
  }, ctx, { source, run, digest, onProgress: req.onProgress });
}
