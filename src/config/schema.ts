import { TesseraError } from '../shared/errors.ts';
import { formatDuration, parseDuration } from '../shared/duration.ts';
import { RULES } from '../policy/workload/rules.ts';
import type { RuleMode } from '../policy/workload/types.ts';

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
  /** Policy maximum lifetime of any SVID (JWT or X.509), seconds. */
  svidMaxTtl: number;
  /** Algorithm of the keys that sign JWTs (JWT-SVIDs and access tokens). */
  jwtAlg: JwtAlgName;
  /** Lifetime of each CA certificate and key, seconds; at least 6 × svidMaxTtl. */
  caTtl: number;
  /** How long a JWT signing key stays active before the next one takes over, seconds. */
  jwtKeyTtl: number;
  /** Operator-supplied root (PEM certificate and private key files): Tessera's CA becomes an intermediate under it. */
  caRootCert: string | undefined;
  caRootKey: string | undefined;
  /** Longest lifetime of a policy exception, seconds (default 30 days; there are no permanent exceptions). */
  exceptionMaxTtl: number;
  /** Audiences only granted inside an approved elevation for them (just-in-time access). */
  elevationAudiences: string[];
  /** Registries (or registry/path prefixes) workload images may come from; empty: not checked. */
  approvedRegistries: string[];
  /** Directory of policy files (*.yaml), watched and hot-reloaded; default <dataDir>/policies. */
  policyDir: string | undefined;
  /** Workload rule id → mode (enforce | warn | audit), overriding each rule's default. */
  workloadModes: Record<string, RuleMode>;
  /** Where a leaked credential's owner is told it was revoked (POST JSON); unset: nobody is notified. */
  leakWebhookUrl: string | undefined;
  /** Largest inventory export accepted for import, bytes (default 4 GiB). */
  inventoryMaxImportBytes: number;
  /** Hygiene: an item not used for this many days is listed as unused (default 90). */
  inventoryUnusedDays: number;
  /** Failed authentications one source address may make per minute before it gets 429 (0: no limit). */
  authFailuresPerMinute: number;
  /**
   * How the admission webhook routes authenticate: 'token' (a workload or admin bearer token) or
   * 'none' (public: for managed clusters whose API servers call webhooks without credentials).
   */
  admissionAuth: AdmissionAuth;
}

export type AdmissionAuth = 'token' | 'none';
export const ADMISSION_AUTHS: readonly AdmissionAuth[] = ['token', 'none'];

export type JwtAlgName = 'ES256' | 'RS256';
export const JWT_ALGS: readonly JwtAlgName[] = ['ES256', 'RS256'];

/** CA lifetime over the longest SVID: SVIDs issued just before a CA is replaced still end before it does. */
export const CA_TTL_SVID_FACTOR = 6;
/** Shortest jwtKeyTtl: a key is published for at least this long before it signs (relying parties cache the JWKS). */
export const JWT_KEY_TTL_MIN = 15 * 60;

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
  svidMaxTtl: 3600,
  jwtAlg: 'ES256',
  caTtl: 86_400,
  jwtKeyTtl: 86_400,
  caRootCert: undefined,
  caRootKey: undefined,
  exceptionMaxTtl: 30 * 86_400,
  elevationAudiences: [],
  approvedRegistries: [],
  workloadModes: {},
  policyDir: undefined,
  leakWebhookUrl: undefined,
  inventoryMaxImportBytes: 4 * 1024 ** 3,
  inventoryUnusedDays: 90,
  authFailuresPerMinute: 60,
  admissionAuth: 'token',
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

const seconds = (f: string, v: unknown, min: number, max: number, what: string): number => {
  let s: number;
  try { s = parseDuration(v, f); } catch { throw bad(f, 'must be a duration such as "1h" or "24h"'); }
  if (s < min || s > max) throw bad(f, `must be between ${formatDuration(min)} and ${formatDuration(max)}: ${what}`);
  return s;
};
const svidMaxTtl: Parser = (v, f) => seconds(f, v, 60, 7 * 86_400, 'the longest lifetime any SVID may have');
const caTtl: Parser = (v, f) => seconds(f, v, 6 * 60, 3650 * 86_400, 'the lifetime of each CA certificate');
const jwtKeyTtl: Parser = (v, f) => seconds(f, v, JWT_KEY_TTL_MIN, 365 * 86_400, 'how long each JWT signing key signs');
const exceptionMaxTtl: Parser = (v, f) => seconds(f, v, 60, 365 * 86_400, 'the longest an exception may live');
/** A YAML list of exact audiences, or a comma-separated string (flags and environment variables). */
const elevationAudiences: Parser = (v, f) => {
  const list = typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 2048 && !x.includes('*'))) {
    throw bad(f, 'must be a list of exact audiences (no wildcards)');
  }
  return list;
};
const jwtAlg: Parser = (v, f) => {
  if (typeof v !== 'string' || !(JWT_ALGS as readonly string[]).includes(v)) throw bad(f, `must be one of ${JWT_ALGS.join(', ')}`);
  return v;
};

/** A YAML list, or a comma-separated string (flags and environment variables). */
const approvedRegistries: Parser = (v, f) => {
  const list = typeof v === 'string' ? v.split(',').map((x) => x.trim()).filter((x) => x !== '') : v;
  if (!Array.isArray(list) || !list.every((x) => typeof x === 'string' && /^[a-z0-9.-]+(:\d+)?(\/[a-z0-9._\/-]+)?$/.test(x))) {
    throw bad(f, 'must be a list of registries such as ghcr.io/acme or registry.example.com:5000');
  }
  return list.map((x: string) => x.replace(/\/+$/, ''));
};
/** A YAML map, or "rule=mode,rule=mode"; rule ids are those of the workload rule catalogue. */
const workloadModes: Parser = (v, f) => {
  const entries = typeof v === 'string'
    ? v.split(',').filter((x) => x.trim() !== '').map((x) => x.split('=').map((y) => y.trim()))
    : v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.entries(v) : null;
  if (!entries) throw bad(f, 'must map workload rule ids to enforce, warn or audit');
  const ids = new Set(RULES.map((r) => r.id));
  const out: Record<string, RuleMode> = {};
  for (const [id, mode] of entries) {
    if (typeof id !== 'string' || !ids.has(id)) throw bad(f, `unknown workload rule ${String(id)} (known: ${[...ids].join(', ')})`);
    if (mode !== 'enforce' && mode !== 'warn' && mode !== 'audit') throw bad(f, `mode of ${id} must be enforce, warn or audit`);
    out[id] = mode;
  }
  return out;
};

/**
 * Rules that tie several keys together (each key alone is checked by its parser). The CA must
 * outlive the longest SVID by the factor SPIRE uses: the next CA takes over when 1/6 of the
 * current one's life is left, so an SVID issued just before the switch still ends before its CA.
 */
export function checkCaConfig(c: Pick<Config, 'svidMaxTtl' | 'caTtl' | 'caRootCert' | 'caRootKey'>): void {
  if (c.caTtl < CA_TTL_SVID_FACTOR * c.svidMaxTtl) {
    throw new TesseraError('ERR_CONFIG',
      `config caTtl (${formatDuration(c.caTtl)}) must be at least ${CA_TTL_SVID_FACTOR} × svidMaxTtl (${formatDuration(c.svidMaxTtl)}) = ${formatDuration(CA_TTL_SVID_FACTOR * c.svidMaxTtl)}, ` +
      'so that no SVID outlives the CA that signed it; raise caTtl or lower svidMaxTtl',
      { field: 'caTtl', rule: `caTtl >= ${CA_TTL_SVID_FACTOR} x svidMaxTtl`, related: 'svidMaxTtl' });
  }
  if ((c.caRootCert === undefined) !== (c.caRootKey === undefined)) {
    throw new TesseraError('ERR_CONFIG', 'config caRootCert/caRootKey: give both (the root certificate and its private key) or neither',
      { field: c.caRootCert === undefined ? 'caRootCert' : 'caRootKey', rule: 'pair' });
  }
}

/** Any http(s) URL, path and query included (a webhook endpoint, unlike publicUrl which is an origin). */
const webhookUrl: Parser = (v, f) => {
  let u: URL | undefined;
  try { u = typeof v === 'string' && v.length <= 2048 ? new URL(v) : undefined; } catch { u = undefined; }
  if (!u || (u.protocol !== 'https:' && u.protocol !== 'http:') || u.username !== '' || u.password !== '') {
    throw bad(f, 'must be an http(s) URL such as https://hooks.example.com/tessera-leaks (no credentials in it)');
  }
  return v;
};

const inventoryMaxImportBytes: Parser = (v, f) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1024 || n > 64 * 1024 ** 3) throw bad(f, 'must be a byte count between 1024 and 68719476736 (64 GiB)');
  return n;
};
const inventoryUnusedDays: Parser = (v, f) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 1 || n > 3650) throw bad(f, 'must be a whole number of days from 1 to 3650');
  return n;
};

const admissionAuth: Parser = (v, f) => {
  if (typeof v !== 'string' || !(ADMISSION_AUTHS as readonly string[]).includes(v)) {
    throw bad(f, 'must be token (the API server sends a bearer token) or none (public admission routes: restrict the network path instead)');
  }
  return v;
};

const authFailuresPerMinute: Parser = (v, f) => {
  const n = typeof v === 'string' && /^\d+$/.test(v) ? Number(v) : v;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > 100_000) throw bad(f, 'must be a whole number from 0 (no limit) to 100000');
  return n;
};

/** Key → parser. Anything not listed here is an unknown key and is refused. */
export const FIELDS: Record<keyof Config, Parser> = {
  dataDir: str, listen, trustDomain, databaseUrl, publicUrl: url, tlsCert: str, tlsKey: str,
  insecureHttp: bool, logLevel, bodyLimit, adminTokenTtl,
  svidMaxTtl, jwtAlg, caTtl, jwtKeyTtl, caRootCert: str, caRootKey: str, exceptionMaxTtl, elevationAudiences,
  approvedRegistries, workloadModes, policyDir: str, leakWebhookUrl: webhookUrl, inventoryMaxImportBytes, inventoryUnusedDays, authFailuresPerMinute,
  admissionAuth,
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
