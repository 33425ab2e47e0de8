import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { main } from '../../src/cli/main.ts';
import type { CliIo } from '../../src/cli/io.ts';
import { tempDir } from './test-store.ts';

const ROOT = join(import.meta.dirname, '..', '..');
const MAIN = join(ROOT, 'src', 'cli', 'main.ts');
// Tests run on the project's pinned Node; child processes use the same binary.
const NODE = process.execPath;

export interface CliResult { code: number; stdout: string; stderr: string }

/** Runs the CLI in this process (fast): same code path as the binary, output captured. */
export async function runCli(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const io: CliIo = {
    out: (t) => { stdout += t.endsWith('\n') ? t : `${t}\n`; },
    err: (t) => { stderr += t.endsWith('\n') ? t : `${t}\n`; },
    env: { ...env },
  };
  const code = await main(args, io);
  return { code, stdout, stderr };
}

/** Runs the real CLI binary in a child process. */
export function runCliProcess(args: string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const p = spawn(NODE, ['--disable-warning=ExperimentalWarning', MAIN, ...args], {
      env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    p.stdout.on('data', (d) => { stdout += d; });
    p.stderr.on('data', (d) => { stderr += d; });
    p.on('error', reject);
    p.on('close', (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

export interface ServerProcess {
  url: string;
  dataDir: string;
  proc: ChildProcess;
  stdout(): string;
  stderr(): string;
  /** Sends a signal and waits for the process to exit; resolves with its exit code. */
  kill(signal?: NodeJS.Signals): Promise<number | null>;
}

/** Starts `tessera server` as a real process on a free loopback port and waits until it listens. */
export function startServerProcess(opts: { dataDir?: string; args?: string[]; env?: NodeJS.ProcessEnv; timeoutMs?: number } = {}): Promise<ServerProcess> {
  const dataDir = opts.dataDir ?? tempDir('tessera-proc-');
  const args = ['--disable-warning=ExperimentalWarning', MAIN, 'server', '--data-dir', dataDir, '--listen', '127.0.0.1:0', '--log-level', 'warn', ...(opts.args ?? [])];
  const proc = spawn(NODE, args, { env: { PATH: process.env.PATH, HOME: process.env.HOME, ...opts.env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => proc.on('exit', (code, sig) => resolve(code ?? (sig ? -1 : null))));
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => { proc.kill('SIGKILL'); reject(new Error(`server did not start in time\nstdout:\n${out}\nstderr:\n${err}`)); }, opts.timeoutMs ?? 20_000);
    proc.stderr!.on('data', (d) => { err += d; });
    proc.stdout!.on('data', (d) => {
      out += d;
      const m = /listening on (\S+)/.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve({
          url: m[1]!, dataDir, proc, stdout: () => out, stderr: () => err,
          kill: async (signal = 'SIGTERM') => { if (proc.exitCode === null && proc.signalCode === null) proc.kill(signal); return exited; },
        });
      }
    });
    void exited.then((code) => { clearTimeout(timer); reject(new Error(`server exited with ${code} before listening\nstdout:\n${out}\nstderr:\n${err}`)); });
  });
}
