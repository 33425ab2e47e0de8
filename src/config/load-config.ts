import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { TesseraError } from '../shared/errors.ts';
import { DEFAULTS, FIELDS, checkCaConfig, parseLayer, type Config } from './schema.ts';

export const CONFIG_FILE = 'tessera.yaml';

const kebab = (k: string) => k.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
const envName = (k: string) => `TESSERA_${k.replace(/[A-Z]/g, (c) => `_${c}`).toUpperCase()}`;

/** Variables that configure clients or secrets rather than server keys; never "unknown". */
// Read by the CLI, not the server: a shell that sets them can still start a server.
const NON_CONFIG_ENV = new Set(['TESSERA_SERVER', 'TESSERA_KEK', 'TESSERA_DATA', 'TESSERA_TOKEN', 'TESSERA_ACTOR']);

/**
 * Merges configuration: flags > TESSERA_* environment > tessera.yaml in the data folder > defaults.
 * Each layer is validated on its own, so an error names where the bad value came from.
 */
export function loadConfig(flags: Record<string, unknown>, env: NodeJS.ProcessEnv = process.env): Config {
  const fromFlags = parseLayer(flags, 'flag', (k) => `--${kebab(k)}`);
  const envRaw: Record<string, unknown> = {};
  const envKeys = new Map(Object.keys(FIELDS).map((k) => [envName(k), k]));
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('TESSERA_') || NON_CONFIG_ENV.has(name) || value === undefined || value === '') continue;
    const key = envKeys.get(name);
    if (!key) throw new TesseraError('ERR_CONFIG', `environment: unknown variable ${name} (known: ${[...envKeys.keys(), ...NON_CONFIG_ENV].join(', ')})`, { field: name, rule: 'unknown key' });
    envRaw[key] = value;
  }
  const fromEnv = parseLayer(envRaw, 'environment', envName);
  const dataDir = resolve(fromFlags.dataDir ?? fromEnv.dataDir ?? DEFAULTS.dataDir);
  const file = join(dataDir, CONFIG_FILE);
  let fromFile: Partial<Config> = {};
  if (existsSync(file)) {
    let doc: unknown;
    try {
      doc = parseYaml(readFileSync(file, 'utf8'));
    } catch (e) {
      throw new TesseraError('ERR_CONFIG', `${file}: not valid YAML: ${(e as Error).message}`, { field: file, rule: 'yaml' });
    }
    if (doc !== null && doc !== undefined) {
      if (typeof doc !== 'object' || Array.isArray(doc)) throw new TesseraError('ERR_CONFIG', `${file}: must be a mapping of keys to values`, { field: file, rule: 'mapping' });
      fromFile = parseLayer(doc as Record<string, unknown>, file);
      if (fromFile.dataDir !== undefined) throw new TesseraError('ERR_CONFIG', `${file}: dataDir cannot be set inside the data folder's own file`, { field: 'dataDir', rule: 'not in file' });
    }
  }
  return { ...DEFAULTS, ...fromFile, ...fromEnv, ...fromFlags, dataDir };
}

export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\.\d+\.\d+\.\d+$/.test(host);
}

/** Start-up checks that need more than one key. */
export function checkServerConfig(c: Config): void {
  checkCaConfig(c);
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) {
    throw new TesseraError('ERR_CONFIG', 'config tlsCert/tlsKey: give both or neither', { field: c.tlsCert ? 'tlsKey' : 'tlsCert', rule: 'pair' });
  }
  if (!isLoopback(c.listen.host) && c.tlsCert === undefined && !c.insecureHttp) {
    throw new TesseraError('ERR_CONFIG',
      `config listen: ${c.listen.host} is not a loopback address and no TLS certificate is configured; ` +
      'give --tls-cert and --tls-key, or --insecure-http if a TLS-terminating proxy sits in front',
      { field: 'listen', rule: 'tls required off loopback' });
  }
}
