import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { LineCounter, parseAllDocuments, isMap, isSeq, isScalar, type Document, type Node } from 'yaml';
import { TesseraError } from '../../shared/errors.ts';

/** One Kubernetes object found in a manifest file, with what is needed to point back at it. */
export interface ManifestObject {
  /** The file as given or found (the caller makes it relative for reports); `-` for stdin. */
  file: string;
  /** 1-based line where the object starts (its document, or its entry in a List). */
  line: number;
  object: Record<string, unknown>;
  /** Resolves a finding's path (e.g. spec.containers[0].image) to the line that best shows it. */
  lineOf(path: string): number;
}

export interface SkippedDocument { file: string; line: number; reason: string }

export interface LoadedManifests { files: string[]; objects: ManifestObject[]; skipped: SkippedDocument[] }

export const MANIFEST_EXTENSIONS: ReadonlySet<string> = new Set(['.yaml', '.yml', '.json']);
/** One manifest file above this is refused: it is not a hand-written manifest and parsing it costs memory. */
export const MAX_FILE_BYTES = 16 * 1024 * 1024;

/**
 * Lists the files to check: an explicit file is always read (whatever its extension); a directory
 * is walked recursively for *.yaml, *.yml and *.json, in a stable order. Hidden directories
 * (.git, .github …) and node_modules are not entered, and symbolic links to directories are not
 * followed, so a link loop cannot hang a CI job.
 */
export function collectFiles(paths: string[]): string[] {
  const out: string[] = [];
  for (const p of paths) {
    if (p === '-') { out.push(p); continue; }
    let st;
    try { st = statSync(p); } catch (e) {
      throw new TesseraError('ERR_INVALID_INPUT', `${p}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { field: p, rule: 'readable' });
    }
    if (st.isDirectory()) {
      const found = walk(p);
      if (found.length === 0) {
        throw new TesseraError('ERR_INVALID_INPUT', `${p}: no *.yaml, *.yml or *.json manifests found`, { field: p, rule: 'manifests' });
      }
      out.push(...found);
    } else out.push(p);
  }
  return [...new Set(out)];
}

function walk(dir: string): string[] {
  const out: string[] = [];
  const entries = readdirSync(dir, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const full = join(dir, e.name);
    if (e.isDirectory()) {
      if (e.name.startsWith('.') || e.name === 'node_modules') continue;
      out.push(...walk(full));
    } else if (MANIFEST_EXTENSIONS.has(extname(e.name).toLowerCase())) {
      // A symbolic link to a file is checked; one to a directory is not walked.
      if (e.isSymbolicLink()) {
        try { if (!statSync(full).isFile()) continue; } catch { continue; }
      }
      out.push(full);
    }
  }
  return out;
}

export function readManifestFile(file: string): string {
  let buf: Buffer;
  try {
    if (statSync(file).size > MAX_FILE_BYTES) {
      throw new TesseraError('ERR_INVALID_INPUT', `${file}: larger than ${MAX_FILE_BYTES} bytes`, { field: file, rule: 'size' });
    }
    buf = readFileSync(file);
  } catch (e) {
    if (e instanceof TesseraError) throw e;
    throw new TesseraError('ERR_INVALID_INPUT', `${file}: cannot read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { field: file, rule: 'readable' });
  }
  return buf.toString('utf8');
}

/**
 * Parses multi-document YAML (JSON is YAML) into Kubernetes objects. Unparsable text is bad
 * input, never "no findings": it throws ERR_INVALID_INPUT naming file:line:column, so a broken
 * manifest cannot pass a CI gate unnoticed. Documents that are not Kubernetes objects (no string
 * apiVersion and kind — e.g. Helm values or kustomize patches) are skipped and reported.
 */
export function parseManifests(file: string, text: string): { objects: ManifestObject[]; skipped: SkippedDocument[] } {
  const lc = new LineCounter();
  const docs = parseAllDocuments(text, { lineCounter: lc, prettyErrors: true, uniqueKeys: true });
  const list = Array.isArray(docs) ? docs : [docs];
  const objects: ManifestObject[] = [];
  const skipped: SkippedDocument[] = [];
  for (const doc of list) {
    const err = doc.errors[0];
    if (err) {
      const pos = err.linePos?.[0] ?? lc.linePos(err.pos[0]);
      throw new TesseraError('ERR_INVALID_INPUT', `${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split('\n')[0]!.replace(/ at line \d+, column \d+:?$/, '')}`, { field: `${file}:${pos.line}`, rule: 'yaml' });
    }
    if (doc.contents === null) continue; // an empty document (e.g. a trailing ---)
    const docLine = lc.linePos(doc.contents.range?.[0] ?? 0).line;
    let value: unknown;
    try { value = doc.toJS({ maxAliasCount: 1000 }); } catch (e) {
      throw new TesseraError('ERR_INVALID_INPUT', `${file}:${docLine}: invalid YAML: ${(e as Error).message}`, { field: `${file}:${docLine}`, rule: 'yaml' });
    }
    if (value === null || value === undefined) continue;
    if (!isObject(value) || typeof value.kind !== 'string' || typeof value.apiVersion !== 'string') {
      skipped.push({ file, line: docLine, reason: 'not a Kubernetes object (no apiVersion and kind)' });
      continue;
    }
    const locate = (prefix: (string | number)[]) => (path: string) => lineIn(doc, lc, [...prefix, ...splitPath(path)], docLine);
    // A List (kubectl get -o yaml, kind: List or any *List) holds its objects in items.
    if (value.kind === 'List' || (value.kind.endsWith('List') && Array.isArray(value.items))) {
      const items = Array.isArray(value.items) ? value.items : [];
      items.forEach((item, i) => {
        const itemLine = lineIn(doc, lc, ['items', i], docLine);
        if (!isObject(item) || typeof item.kind !== 'string') {
          skipped.push({ file, line: itemLine, reason: 'List item is not a Kubernetes object' });
          return;
        }
        objects.push({ file, line: itemLine, object: item, lineOf: locate(['items', i]) });
      });
      continue;
    }
    objects.push({ file, line: docLine, object: value, lineOf: locate([]) });
  }
  return { objects, skipped };
}

export function loadManifests(paths: string[], readStdin?: () => string): LoadedManifests {
  const files = collectFiles(paths);
  const objects: ManifestObject[] = [];
  const skipped: SkippedDocument[] = [];
  for (const f of files) {
    const text = f === '-' ? stdinText(readStdin) : readManifestFile(f);
    const r = parseManifests(f, text);
    objects.push(...r.objects);
    skipped.push(...r.skipped);
  }
  return { files, objects, skipped };
}

function stdinText(readStdin: (() => string) | undefined): string {
  if (!readStdin) throw new TesseraError('ERR_INVALID_INPUT', '-: standard input is not available here', { field: '-', rule: 'readable' });
  return readStdin();
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** `spec.containers[0].securityContext` → ['spec', 'containers', 0, 'securityContext']. */
export function splitPath(path: string): (string | number)[] {
  const out: (string | number)[] = [];
  for (const part of path.split('.')) {
    if (part === '') continue;
    const m = /^([^[\]]*)((?:\[\d+\])*)$/.exec(part);
    if (!m) { out.push(part); continue; }
    if (m[1]) out.push(m[1]);
    for (const idx of m[2]!.matchAll(/\[(\d+)\]/g)) out.push(Number(idx[1]));
  }
  return out;
}

/**
 * The line of the deepest node on the path that exists: a finding about a field that is present
 * points at that field; one about a missing field (e.g. no securityContext) points at its parent.
 */
function lineIn(doc: Document, lc: LineCounter, path: (string | number)[], fallback: number): number {
  let node: unknown = doc.contents;
  let line = fallback;
  for (const seg of path) {
    if (isMap(node)) {
      const pair = node.items.find((p) => (isScalar(p.key) ? p.key.value : p.key) === seg);
      if (!pair) break;
      const at = (pair.key as Node | null)?.range?.[0];
      if (at !== undefined) line = lc.linePos(at).line;
      node = pair.value;
    } else if (isSeq(node) && typeof seg === 'number') {
      const item = node.items[seg] as Node | undefined;
      if (!item) break;
      if (item.range) line = lc.linePos(item.range[0]).line;
      node = item;
    } else break;
  }
  return line;
}
