/** Where a command writes, and the environment it reads: injectable so commands run in-process in tests. */
export interface CliIo {
  out(text: string): void;
  err(text: string): void;
  env: NodeJS.ProcessEnv;
  /** Standard input for commands that read it (`scan --stdin`); process.stdin when absent. */
  stdin?: AsyncIterable<Buffer | string>;
}

export const processIo: CliIo = {
  out: (t) => { process.stdout.write(t.endsWith('\n') ? t : `${t}\n`); },
  err: (t) => { process.stderr.write(t.endsWith('\n') ? t : `${t}\n`); },
  env: process.env,
};

/** Exit codes: 0 success, 1 a finding/denial or a failure at run time, 2 bad usage or input. */
export const EXIT = { OK: 0, FAIL: 1, USAGE: 2 } as const;
