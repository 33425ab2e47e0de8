// `tessera policy test DIR`: policy unit tests, offline. Each YAML document in DIR with an
// `expect` key is a case; every other document is a policy under test. Cases run against those
// policies plus the built-in set (unless defaults are left out).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { TesseraError } from '../shared/errors.ts';
import { compilePolicies } from './compile-policies.ts';
import { decide } from './decide.ts';
import { DEFAULT_POLICIES } from './default-policies.ts';
import { parsePolicyDocument } from './parse-policy-document.ts';
import type { DecisionInput, DecisionSubject, PolicyDefinition } from './types.ts';

export interface PolicyTestResult {
  name: string;
  file: string;
  expect: 'allow' | 'deny';
  actual: 'allow' | 'deny';
  pass: boolean;
  policies: string[];
  reasons: string[];
}

const bad = (field: string, rule: string) => new TesseraError('ERR_INVALID_INPUT', `${field}: ${rule}`, { field, rule });
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const CASE_FIELDS = new Set(['name', 'input', 'expect']);
const INPUT_FIELDS = new Set(['action', 'subject', 'audience', 'context', 'resource']);

function subjectOf(v: unknown, at: string): DecisionSubject {
  // Offline there is no registry: unnamed attributes get harmless defaults.
  const base: DecisionSubject = { spiffeId: '', owner: 'test', environment: 'dev', tier: 3, labels: {}, enabled: true, claims: {}, source: { kind: 'jwt-svid', name: 'test' } };
  if (typeof v === 'string') return { ...base, spiffeId: v };
  if (!isObject(v) || typeof v.spiffeId !== 'string') throw bad(`${at}.subject`, 'must be a SPIFFE ID or an object with spiffeId');
  return { ...base, ...(v as Partial<DecisionSubject>) } as DecisionSubject;
}

function caseInput(v: unknown, at: string, now: number): DecisionInput {
  if (!isObject(v)) throw bad(at, 'must be an object: action, subject, audience, context');
  for (const k of Object.keys(v)) if (!INPUT_FIELDS.has(k)) throw bad(`${at}.${k}`, 'unknown field (known: action, subject, audience, context, resource)');
  if (typeof v.action !== 'string' || v.action === '') throw bad(`${at}.action`, 'is required');
  const audience = v.audience === undefined ? [] : Array.isArray(v.audience) ? v.audience.map(String) : [String(v.audience)];
  if (v.context !== undefined && !isObject(v.context)) throw bad(`${at}.context`, 'must be an object');
  const ctx = { ...((v.context as Record<string, unknown> | undefined) ?? {}) };
  const time = typeof ctx.time === 'string' ? Date.parse(ctx.time) : typeof ctx.time === 'number' ? ctx.time : now;
  if (Number.isNaN(time)) throw bad(`${at}.context.time`, 'must be an ISO-8601 time or epoch ms');
  const input: DecisionInput = { action: v.action, subject: subjectOf(v.subject, at), audience, context: { ...ctx, time } };
  if (isObject(v.resource)) input.resource = v.resource;
  return input;
}

/** Runs every case in DIR; throws ERR_INVALID_INPUT naming the file for a bad case or policy. */
export function runPolicyTests(dir: string, opts: { defaults?: boolean; now: number }): PolicyTestResult[] {
  let files: string[];
  try { files = readdirSync(dir).filter((n) => n.endsWith('.yaml') || n.endsWith('.yml')).sort(); } catch (e) {
    throw bad('DIR', `cannot read ${dir}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const policies: PolicyDefinition[] = [];
  const sources: string[] = [];
  const cases: { name: string; file: string; input: DecisionInput; expect: 'allow' | 'deny' }[] = [];
  for (const file of files) {
    parseAllDocuments(readFileSync(join(dir, file), 'utf8')).forEach((doc, i) => {
      const at = `${file}#${i + 1}`;
      if (doc.errors.length > 0) throw bad(at, `not valid YAML (${doc.errors[0]!.message.split('\n')[0]})`);
      const v: unknown = doc.toJS();
      if (v === null || v === undefined) return;
      if (isObject(v) && 'expect' in v) {
        for (const k of Object.keys(v)) if (!CASE_FIELDS.has(k)) throw bad(`${at}.${k}`, 'unknown field (known: name, input, expect)');
        if (v.expect !== 'allow' && v.expect !== 'deny') throw bad(`${at}.expect`, 'must be allow or deny');
        cases.push({ name: typeof v.name === 'string' ? v.name : at, file, input: caseInput(v.input, `${at}.input`, opts.now), expect: v.expect });
      } else {
        policies.push(parsePolicyDocument(v, at));
        sources.push(`policy file ${file}`);
      }
    });
  }
  if (cases.length === 0) throw bad('DIR', `${dir} holds no test cases (documents with name, input and expect)`);
  const withDefaults = opts.defaults ?? true;
  const set = compilePolicies(withDefaults ? [...DEFAULT_POLICIES, ...policies] : policies,
    withDefaults ? [...DEFAULT_POLICIES.map(() => 'built-in'), ...sources] : sources);
  return cases.map((c) => {
    const d = decide(c.input, set);
    const actual = d.allow ? 'allow' : 'deny';
    return { name: c.name, file: c.file, expect: c.expect, actual, pass: actual === c.expect, policies: d.policies, reasons: d.reasons };
  });
}
