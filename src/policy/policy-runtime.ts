// The live policy set: built-in defaults + the policy directory + stored policies, compiled as
// one set and swapped atomically. A reload compiles everything first; if anything fails (a bad
// file, a name defined twice) the old set stays in force and the error is kept for
// GET /v1/policies/status. Changes are noticed by fs.watch (debounced) and by a periodic check,
// which also picks up policies stored by another server sharing the database.
import { watch, type FSWatcher } from 'node:fs';
import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.ts';
import { compilePolicies, type PolicySet } from './compile-policies.ts';
import { DEFAULT_POLICIES } from './default-policies.ts';
import { loadPolicyDir, type SourcedPolicy } from './load-policy-dir.ts';
import type { PolicyRepo } from './policy-repo.ts';
import type { PolicyDefinition } from './types.ts';

export interface PolicyStatus {
  ok: boolean;
  /** epoch ms of the last successful (re)load */
  loadedAt: number;
  /** epoch ms of the last attempt */
  checkedAt: number;
  policies: number;
  counts: { builtIn: number; directory: number; stored: number };
  directory: string | null;
  /** Why the last reload was refused (the set in force is the previous one). */
  error: string | null;
  errorAt: number | null;
}

export interface PolicyRuntime {
  current(): PolicySet;
  status(): PolicyStatus;
  /** Reloads now; never throws for a bad source (see status().error). */
  reload(): Promise<PolicyStatus>;
  /** Compiles the live sources as they would be after the change; throws what would fail. */
  validate(change: { put?: PolicyDefinition; remove?: string }): Promise<void>;
  close(): void;
}

export interface PolicyRuntimeOptions {
  directory?: string | undefined;
  repo?: Pick<PolicyRepo, 'list'> | undefined;
  clock: Clock;
  logger?: Logger | undefined;
  defaults?: readonly PolicyDefinition[] | undefined;
  /** Periodic check; 0 disables it (tests call reload()). */
  intervalMs?: number | undefined;
  debounceMs?: number | undefined;
}

interface Sources { dir: SourcedPolicy[]; stored: PolicyDefinition[] }

function compileAll(defaults: readonly PolicyDefinition[], s: Sources): PolicySet {
  const defs = [...defaults, ...s.dir.map((p) => p.definition), ...s.stored];
  const where = [...defaults.map(() => 'built-in'), ...s.dir.map((p) => `policy file ${p.source}`), ...s.stored.map(() => 'the store')];
  return compilePolicies(defs, where);
}

/** Loads and compiles every source; throws (ERR_CONFIG naming the cause) when the first load fails. */
export async function startPolicyRuntime(opts: PolicyRuntimeOptions): Promise<PolicyRuntime> {
  const defaults = opts.defaults ?? DEFAULT_POLICIES;
  const read = async (): Promise<Sources> => ({
    dir: opts.directory ? loadPolicyDir(opts.directory) : [],
    stored: opts.repo ? (await opts.repo.list()).map((p) => p.definition) : [],
  });
  const first = await read();
  let set = compileAll(defaults, first);
  let fingerprint = JSON.stringify(first);
  const now = opts.clock.now();
  let status: PolicyStatus = {
    ok: true, loadedAt: now, checkedAt: now, policies: set.policies.length,
    counts: { builtIn: defaults.length, directory: first.dir.length, stored: first.stored.length },
    directory: opts.directory ?? null, error: null, errorAt: null,
  };

  let chain: Promise<unknown> = Promise.resolve();
  const reloadOnce = async (): Promise<PolicyStatus> => {
    const at = opts.clock.now();
    try {
      const sources = await read();
      const print = JSON.stringify(sources);
      if (print !== fingerprint) {
        const next = compileAll(defaults, sources);
        set = next;
        fingerprint = print;
        status = { ...status, loadedAt: at, policies: next.policies.length, counts: { builtIn: defaults.length, directory: sources.dir.length, stored: sources.stored.length } };
        opts.logger?.info({ policies: next.policies.length }, 'policy set reloaded');
      }
      status = { ...status, ok: true, checkedAt: at, error: null, errorAt: null };
    } catch (e) {
      const message = (e as Error).message;
      if (status.error !== message) opts.logger?.error({ err: message }, 'policy reload refused; the previous policy set stays in force');
      status = { ...status, ok: false, checkedAt: at, error: message, errorAt: at };
    }
    return status;
  };
  const reload = () => { const next = chain.then(reloadOnce); chain = next.catch(() => undefined); return next; };

  let timer: NodeJS.Timeout | undefined;
  let debounce: NodeJS.Timeout | undefined;
  let watcher: FSWatcher | undefined;
  const interval = opts.intervalMs ?? 5000;
  if (interval > 0) { timer = setInterval(() => { void reload(); }, interval); timer.unref(); }
  if (opts.directory && interval > 0) {
    try {
      watcher = watch(opts.directory, () => {
        // Editors write in several steps (truncate, write, rename): wait for the burst to end.
        if (debounce) clearTimeout(debounce);
        debounce = setTimeout(() => { void reload(); }, opts.debounceMs ?? 200);
        debounce.unref();
      });
      watcher.unref();
      watcher.on('error', () => { watcher?.close(); watcher = undefined; });
    } catch {
      // No directory yet (or no watch support): the periodic check still notices it.
    }
  }

  return {
    current: () => set,
    status: () => status,
    reload,
    async validate(change) {
      const sources = await read();
      let stored = sources.stored.filter((p) => p.name !== change.put?.name && p.name !== change.remove);
      if (change.put) stored = [...stored, change.put];
      compileAll(defaults, { dir: sources.dir, stored });
    },
    close() {
      if (timer) clearInterval(timer);
      if (debounce) clearTimeout(debounce);
      watcher?.close();
    },
  };
}
