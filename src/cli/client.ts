import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { TesseraError, type ErrorCode } from '../shared/errors.ts';
import { getAdminToken } from './admin-token.ts';
import { exitCodeOf } from './exit-code.ts';
import type { CliIo } from './io.ts';

export const DEFAULT_SERVER = 'http://127.0.0.1:8080';
export const DEFAULT_DATA_DIR = './.tessera';

export interface ClientFlags {
  server?: string | undefined;
  data?: string | undefined;
  /** A file holding an access token to act with instead of the admin key (or TESSERA_TOKEN). */
  tokenFile?: string | undefined;
}

/** The access token given by --token-file or TESSERA_TOKEN, if any: the client then acts as that principal. */
function givenToken(flags: ClientFlags, io: CliIo): string | undefined {
  if (flags.tokenFile !== undefined) {
    let text: string;
    try { text = readFileSync(flags.tokenFile, 'utf8').trim(); } catch (e) {
      throw new TesseraError('ERR_INVALID_INPUT', `--token-file: cannot read ${flags.tokenFile}: ${(e as Error).message}`, { field: '--token-file', rule: 'readable file' });
    }
    if (text === '') throw new TesseraError('ERR_INVALID_INPUT', `--token-file: ${flags.tokenFile} is empty`, { field: '--token-file', rule: 'non-empty' });
    return text;
  }
  const env = io.env.TESSERA_TOKEN?.trim();
  return env ? env : undefined;
}

export interface ApiClient {
  server: string;
  dataDir: string;
  /** JSON request with the admin token; a problem response is thrown as a TesseraError. */
  request<T = unknown>(method: string, path: string, body?: unknown): Promise<T>;
  /** The raw response (for streams); non-2xx is thrown like request(). */
  fetch(method: string, path: string): Promise<Response>;
  /**
   * Streams a body (application/octet-stream) and returns the JSON answer; uses a fresh token (a
   * stream cannot be resent). With onProgress the server streams progress lines (NDJSON) first.
   */
  upload<T = unknown>(path: string, body: AsyncIterable<Uint8Array>, onProgress?: (line: Record<string, unknown>) => void): Promise<T>;
}

async function errorFrom(res: Response): Promise<TesseraError> {
  const text = await res.text();
  let body: Record<string, unknown> = {};
  try { body = JSON.parse(text); } catch { /* not JSON */ }
  const code = (typeof body.code === 'string' ? body.code : res.status >= 500 ? 'ERR_INTERNAL' : 'ERR_INVALID_INPUT') as ErrorCode;
  const message = typeof body.detail === 'string' ? body.detail
    : typeof body.error_description === 'string' ? body.error_description : `${res.status} ${res.statusText}`;
  const details: Record<string, unknown> = { status: res.status };
  if (typeof body.field === 'string') details.field = body.field;
  if (typeof body.rule === 'string') details.rule = body.rule;
  return new TesseraError(code, message, details);
}

export function connect(flags: ClientFlags, io: CliIo): ApiClient {
  const server = (flags.server ?? io.env.TESSERA_SERVER ?? DEFAULT_SERVER).replace(/\/$/, '');
  if (!/^https?:\/\/[^/]+$/.test(server)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--server: "${server}" must be a URL such as http://127.0.0.1:8080`, { field: '--server', rule: 'url' });
  }
  const dataDir = resolve(flags.data ?? io.env.TESSERA_DATA ?? DEFAULT_DATA_DIR);
  const given = givenToken(flags, io);
  const tokenFor = (refresh: boolean) => (given !== undefined ? Promise.resolve(given) : getAdminToken({ server, dataDir, refresh }));
  const send = async (method: string, path: string, body: unknown, refresh: boolean): Promise<Response> => {
    const token = await tokenFor(refresh);
    const headers: Record<string, string> = { authorization: `Bearer ${token}` };
    if (body !== undefined) headers['content-type'] = 'application/json';
    try {
      return await fetch(server + path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    } catch (e) {
      throw new TesseraError('ERR_SERVER_UNREACHABLE', `cannot reach the Tessera server at ${server}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message} (set --server or TESSERA_SERVER)`, { field: '--server' });
    }
  };
  const call = async (method: string, path: string, body?: unknown): Promise<Response> => {
    let res = await send(method, path, body, false);
    // A cached token can outlive the keys that signed it (server data reset): retry once, fresh.
    if (res.status === 401 && given === undefined) res = await send(method, path, body, true);
    if (!res.ok) throw await errorFrom(res);
    return res;
  };
  return {
    server, dataDir,
    async request<T>(method: string, path: string, body?: unknown): Promise<T> {
      const res = await call(method, path, body);
      if (res.status === 204) return undefined as T;
      return (await res.json()) as T;
    },
    fetch: (method, path) => call(method, path),
    async upload<T>(path: string, body: AsyncIterable<Uint8Array>, onProgress?: (line: Record<string, unknown>) => void): Promise<T> {
      const token = await tokenFor(true);
      let res: Response;
      try {
        res = await fetch(server + path, {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream',
            ...(onProgress ? { accept: 'application/x-ndjson, application/json' } : {}),
          },
          body: ReadableStream.from(body), duplex: 'half',
        } as RequestInit);
      } catch (e) {
        throw new TesseraError('ERR_SERVER_UNREACHABLE', `cannot reach the Tessera server at ${server}: ${(e as Error & { cause?: Error }).cause?.message ?? (e as Error).message} (set --server or TESSERA_SERVER)`, { field: '--server' });
      }
      if (!res.ok) throw await errorFrom(res);
      if (!onProgress || !(res.headers.get('content-type') ?? '').startsWith('application/x-ndjson') || !res.body) return (await res.json()) as T;
      return readProgress<T>(res.body, onProgress);
    },
  };
}

/** Reads NDJSON progress lines until the final {"result"} (returned) or {"error"} (thrown). */
async function readProgress<T>(body: ReadableStream<Uint8Array>, onProgress: (line: Record<string, unknown>) => void): Promise<T> {
  const decoder = new TextDecoder();
  let pending = '';
  for await (const chunk of body as unknown as AsyncIterable<Uint8Array>) {
    pending += decoder.decode(chunk, { stream: true });
    let nl: number;
    while ((nl = pending.indexOf('\n')) >= 0) {
      const text = pending.slice(0, nl).trim();
      pending = pending.slice(nl + 1);
      if (text === '') continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      if ('result' in line) return line.result as T;
      if ('error' in line) {
        const e = line.error as { code?: string; message?: string; field?: string; rule?: string; status?: number };
        throw new TesseraError((e.code ?? 'ERR_INTERNAL') as ErrorCode, e.message ?? 'the server failed',
          { status: e.status, ...(e.field ? { field: e.field } : {}), ...(e.rule ? { rule: e.rule } : {}) });
      }
      onProgress(line);
    }
  }
  throw new TesseraError('ERR_SERVER_UNREACHABLE', 'the server closed the connection before it answered', { field: '--server' });
}

/** Prints a result as JSON (--json) or in the human form the command gives. */
export function printResult<T>(io: CliIo, value: T, json: boolean | undefined, human: (v: T) => string): void {
  io.out(json ? JSON.stringify(value, null, 2) : human(value));
}

/** Prints an error the way every verb does and returns the exit code for it. */
export function failExit(io: CliIo, e: unknown, json?: boolean): number {
  if (e instanceof TesseraError) {
    if (json) io.err(JSON.stringify({ error: { code: e.code, message: e.message, ...(e.details ?? {}) } }));
    else io.err(`tessera: ${e.message}${e.code.startsWith('ERR_') ? ` [${e.code}]` : ''}`);
    return exitCodeOf(e.code);
  }
  io.err(`tessera: ${(e as Error)?.message ?? String(e)}`);
  return 1;
}

/** Renders rows as an aligned text table. */
export function table(rows: Record<string, unknown>[], columns: string[]): string {
  const cells = rows.map((r) => columns.map((c) => (r[c] === null || r[c] === undefined ? '-' : String(r[c]))));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i]!.length)));
  const line = (vals: string[]) => vals.map((v, i) => v.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(columns.map((c) => c.toUpperCase())), ...cells.map(line)].join('\n');
}
