import { TesseraError } from '../shared/errors.ts';
import { parseDuration } from '../shared/duration.ts';

export type LogLevel = 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';

/** The server's whole configuration. Every key here has a flag, a TESSERA_* variable and a YAML key. */
export interface Config {
  dataDir: string;
  listen: { host: string; port: number };
  trustDomain: string;
  databaseUrl: string | undefined;
  /** Base URL clients use to reach the server; the token issuer. Derived from listen if unset. */
  publicUrl: string | undefined;
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  insecureHttp: boolean;
  logLevel: LogLevel;
  /** Largest request body accepted, bytes. */
  bodyLimit: number;
  /** Lifetime of admin access tokens, seconds (at most 10 minutes). */
  adminTokenTtl: number;
}

export const DEFAULTS: Config = {
  dataDir: './.tessera',
  listen: { host: '127.0.0.1', port: 8080 },
  trustDomain: 'tessera.local',
  databaseUrl: undefined,
  publicUrl: undefined,
  tlsCert: undefined,
  tlsKey: undefined,
  insecureHttp: false,
  logLevel: 'info',
  bodyLimit: 64 * 1024,
  adminTokenTtl: 600,
};

type Parser = (v: unknown, field: string) => unknown;
const bad = (field: string, rule: string) => new TesseraError('ERR_CONFIG', `config ${field}: ${rule}`, { field, rule });

const str: Parser = (v, f) => {
  if (typeof v !== 'string' || v.length === 0) throw bad(f, 'must be a non-empty string');
  return v;
};
const bool: Parser = (v, f) => {
  if (typeof v === 'boolean') return v;
  if (v === 'true' || v === '1') return true;
  if (v === 'false' || v === '0') return false;
  throw bad(f, 'must be true or false');
};

const listen: Parser = (v, f) => {
  const m = typeof v === 'string' ? /^(\[[0-9a-fA-F:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v) : null;
  const port = m ? Number(m[2]) : -1;
  if (!m || port > 65535) throw bad(f, 'must be HOST:PORT, e.g. 127.0.0.1:8080 or [::1]:8443 (port 0 picks a free one)');
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port };
};
const trustDomain: Parser = (v, f) => {
  if (typeof v !== 'string' || !/^[a-z0-9._-]+$/.test(v) || v.length > 255) {
    throw bad(f, 'must be a SPIFFE trust domain: lowercase letters, digits, ".", "-", "_"');
  }
  return v;
};
const databaseUrl: Parser = (v, f) => {
  if (typeof v !== 'string' || !/^postgres(ql)?:\/\//.test(v)) throw bad(f, 'must be a postgres:// URL (omit it to use the embedded SQLite store)');
  return v;
};
const url: Parser = (v, f) => {
  if (typeof v !== 'string' || !/^https?:\/\/[^/?#]+$/.test(v.replace(/\/$/, ''))) throw bad(f, 'must be an http(s) origin such as https://tessera.example.com');
  return v.replace(/\/$/, '');
};
const logLevel: Parser = (v, f) => {
  const levels = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];
  if (typeof v !== 'string' || !levels.includes(v)) throw bad(f, `must be one of ${levels.join(', ')}`);
  return v;
};
const bodyLimit: Parser = (v, f) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1024 || n > 16 * 1024 * 1024) throw bad(f, 'must be a byte count between 1024 and 16777216');
  return n;
};
const adminTokenTtl: Parser = (v, f) => {
  let s: number;
  try { s = parseDuration(v, f); } catch { throw bad(f, 'must be a duration such as "5m"'); }
  if (s > 600) throw bad(f, 'must be at most 10m: admin tokens are short-lived by design');
  return s;
};

/** Key → parser. Anything not listed here is an unknown key and is refused. */
export const FIELDS: Record<keyof Config, Parser> = {
  dataDir: str, listen, trustDomain, databaseUrl, publicUrl: url, tlsCert: str, tlsKey: str,
  insecureHttp: bool, logLevel, bodyLimit, adminTokenTtl,
};

/** Validates one layer (flags, env or YAML): unknown keys and bad values name the field. */
export function parseLayer(raw: Record<string, unknown>, origin: string, nameOf: (k: string) => string = (k) => k): Partial<Config> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(raw)) {
    if (v === undefined) continue;
    const parse = (FIELDS as Record<string, Parser>)[k];
    if (!parse) {
      throw new TesseraError('ERR_CONFIG', `${origin}: unknown key ${nameOf(k)} (known: ${Object.keys(FIELDS).map(nameOf).join(', ')})`, { field: nameOf(k), rule: 'unknown key' });
    }
    try {
      out[k] = parse(v, nameOf(k));
    } catch (e) {
      if (e instanceof TesseraError) throw new TesseraError('ERR_CONFIG', `${origin}: ${e.message.replace(/^config /, '')}`, e.details);
      throw e;
    }
  }
  return out as Partial<Config>;
}
