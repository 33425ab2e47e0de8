import { parseArgs, type ParseArgsConfig } from 'node:util';
import { TesseraError } from '../shared/errors.ts';

export type Options = NonNullable<ParseArgsConfig['options']>;

/** Options every client verb accepts. */
export const CLIENT_OPTIONS = {
  server: { type: 'string' },
  data: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies Options;

/**
 * Strict parsing: an unknown flag, a missing value or a stray argument is a usage error (exit 2)
 * that names the offending flag.
 */
export function parse<O extends Options>(argv: string[], options: O, maxPositionals = 0) {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, strict: true, allowPositionals: true });
  } catch (e) {
    const msg = (e as Error).message.replace(/\. To specify a positional argument.*$/s, '');
    const flag = /'(-{1,2}[^' ]+)/.exec(msg)?.[1];
    throw new TesseraError('ERR_INVALID_INPUT', msg, { field: flag ?? 'arguments', rule: 'usage' });
  }
  if (parsed.positionals.length > maxPositionals) {
    const extra = parsed.positionals[maxPositionals]!;
    throw new TesseraError('ERR_INVALID_INPUT', `unexpected argument "${extra}"`, { field: extra, rule: 'usage' });
  }
  return parsed;
}

/** Repeated `--label k=v` flags into a record; a malformed pair names the flag. */
export function keyValues(values: string[] | undefined, flag: string): Record<string, string> | undefined {
  if (!values || values.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const v of values) {
    const i = v.indexOf('=');
    if (i <= 0) throw new TesseraError('ERR_INVALID_INPUT', `${flag}: "${v}" must be KEY=VALUE`, { field: flag, rule: 'KEY=VALUE' });
    out[v.slice(0, i)] = v.slice(i + 1);
  }
  return out;
}
