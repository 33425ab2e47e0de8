import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { availableParallelism } from 'node:os';
import { parse } from '../args.ts';
import { EXIT, type CliIo } from '../io.ts';
import { DEFAULT_DATA_DIR } from '../client.ts';
import { TesseraError } from '../../shared/errors.ts';
import { DETECTORS } from '../../scanner/detectors/index.ts';
import {
  applyGate, formatJson, formatSarif, formatText, readBaseline, scanGitHistory, scanGitStaged, scanPaths, scanStream,
  writeBaseline, SEVERITIES, CONFIDENCES, type Confidence, type Finding, type ScanResult, type Severity,
} from '../../scanner/index.ts';

const HELP = `Usage: tessera scan [PATH ...]            files and folders (default: .)
       tessera scan --git [REPO] [--ref REF ...]   every line added in history (default: all refs)
       tessera scan --staged [REPO]             lines staged for the next commit (pre-commit hook)
       tessera scan --stdin [--name NAME]       standard input (CI logs)

Finds machine credentials (cloud keys, code-host and SaaS tokens, private keys, JWTs, database
URLs, Tessera keys, generic secrets) and gates on them. Secrets are redacted in every report.

  --format F             text (default), json or sarif (SARIF 2.1.0, for code scanning)
  --output FILE          write the report to FILE instead of standard output
  --fail-on SEVERITY     lowest severity that fails the gate: low (default), medium, high, critical
  --min-confidence C     hide findings below C: low, medium (default), high; hidden ones are
                         counted in the summary and never fail the gate
  --baseline FILE        accept the findings whose fingerprints the file lists
  --write-baseline FILE  write every current finding to FILE as a baseline (the gate then passes)
  --exclude PATTERN      .gitignore-style pattern to skip (repeat); .gitignore files are honoured
  --no-gitignore         do not read .gitignore files
  --max-size BYTES       skip files larger than this (default 100M; K, M, G suffixes)
  --show-secrets         put the full secrets in --format json (never in text or SARIF)
  --report-to URL        send the findings to a Tessera server: its own credentials are revoked
  --break-glass REASON   let the gate pass, recorded (who, why, which findings) in the server's
                         audit log (--report-to) or, offline, in <data>/break-glass.jsonl
  --data DIR             the server's data folder (admin key; offline break-glass file)
  --token-file FILE      report as the principal whose access token FILE holds (a CI workload's
                         token from tessera token exchange), instead of the admin key; or TESSERA_TOKEN

Silence one line with a comment on it: tessera:allow  (or tessera:allow RULE-ID -- why).
Exit status: 0 gate passes, 1 a finding at or above --fail-on (or a failed report),
2 bad usage, or input that could not be read in full (the findings made are still reported).`;

const OPTIONS = {
  format: { type: 'string' }, output: { type: 'string' }, 'fail-on': { type: 'string' }, 'min-confidence': { type: 'string' },
  baseline: { type: 'string' }, 'write-baseline': { type: 'string' },
  exclude: { type: 'string', multiple: true }, 'no-gitignore': { type: 'boolean' }, 'max-size': { type: 'string' },
  'show-secrets': { type: 'boolean' },
  git: { type: 'boolean' }, ref: { type: 'string', multiple: true }, staged: { type: 'boolean' },
  stdin: { type: 'boolean' }, name: { type: 'string' },
  'report-to': { type: 'string' }, 'break-glass': { type: 'string' }, data: { type: 'string' }, 'token-file': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

const FORMATS = ['text', 'json', 'sarif'] as const;

function usage(field: string, message: string, rule = 'usage'): TesseraError {
  return new TesseraError('ERR_INVALID_INPUT', message, { field, rule });
}

function parseSize(v: string): number {
  const m = /^(\d+)([kmg]i?b?)?$/i.exec(v.trim());
  if (!m) throw usage('--max-size', `--max-size: "${v}" is not a size (e.g. 5000000, 10M)`, 'size');
  const mult = { k: 1024, m: 1024 ** 2, g: 1024 ** 3 }[(m[2]?.[0] ?? '').toLowerCase() as 'k' | 'm' | 'g'] ?? 1;
  return Number(m[1]) * mult;
}

function version(): string {
  try { return (JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string }).version ?? '0.0.0'; }
  catch { return '0.0.0'; }
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values: v, positionals } = parse(argv, OPTIONS, Infinity);
  if (v.help) { io.out(HELP); return EXIT.OK; }
  const format = v.format ?? 'text';
  if (!(FORMATS as readonly string[]).includes(format)) throw usage('--format', `--format must be one of ${FORMATS.join(', ')}`, 'enum');
  const failOn = (v['fail-on'] ?? 'low') as Severity;
  if (!(SEVERITIES as readonly string[]).includes(failOn)) throw usage('--fail-on', `--fail-on must be one of ${SEVERITIES.join(', ')}`, 'enum');
  const minConfidence = (v['min-confidence'] ?? 'medium') as Confidence;
  if (!(CONFIDENCES as readonly string[]).includes(minConfidence)) throw usage('--min-confidence', `--min-confidence must be one of ${CONFIDENCES.join(', ')}`, 'enum');
  const modes = [v.git, v.staged, v.stdin].filter(Boolean).length;
  if (modes > 1) throw usage('--git', '--git, --staged and --stdin cannot be combined');
  if ((v.git || v.staged) && positionals.length > 1) throw usage(positionals[1]!, '--git and --staged take one repository folder');
  if (v.stdin && positionals.length > 0) throw usage(positionals[0]!, '--stdin takes no paths');
  if (v.ref && !v.git) throw usage('--ref', '--ref needs --git');
  if (v['break-glass'] !== undefined && v['break-glass'].trim() === '') throw usage('--break-glass', '--break-glass: give a reason', 'non-empty');
  if (v['show-secrets'] && format !== 'json') throw usage('--show-secrets', '--show-secrets only applies to --format json');
  const maxBytes = v['max-size'] !== undefined ? parseSize(v['max-size']) : undefined;
  const baseline = v.baseline !== undefined ? await readBaseline(v.baseline) : undefined;

  let result: ScanResult;
  if (v.git) result = await scanGitHistory({ repo: positionals[0] ?? '.', detectors: DETECTORS, ...(v.ref ? { refs: v.ref } : {}) });
  else if (v.staged) result = await scanGitStaged({ repo: positionals[0] ?? '.', detectors: DETECTORS });
  else if (v.stdin) {
    const name = v.name ?? '<stdin>';
    const r = await scanStream(io.stdin ?? process.stdin, name, DETECTORS, { allowBinary: true });
    result = { findings: r.findings, notices: [], filesScanned: 1, bytesScanned: r.bytes };
  } else {
    result = await scanPaths(positionals.length > 0 ? positionals : ['.'], {
      detectors: DETECTORS, workers: Math.min(8, availableParallelism()),
      detectorSource: { module: new URL('../../scanner/detectors/index.ts', import.meta.url).href, exportName: 'DETECTORS' },
      ...(v.exclude ? { exclude: v.exclude } : {}), gitignore: !v['no-gitignore'], ...(maxBytes !== undefined ? { maxBytes } : {}),
    });
  }

  if (v['write-baseline'] !== undefined) {
    const kept = applyGate(result.findings, { failOn, minConfidence }).open;
    const n = await writeBaseline(v['write-baseline'], [...kept, ...result.findings.filter((f) => baseline?.has(f.fingerprint))]);
    io.err(`tessera scan: wrote ${n} fingerprint(s) to ${v['write-baseline']}`);
  }
  const effective = v['write-baseline'] !== undefined ? await readBaseline(v['write-baseline']) : baseline;
  const gate = applyGate(result.findings, { failOn, minConfidence, ...(effective ? { baseline: effective } : {}) });
  const stats = { files: result.filesScanned, bytes: result.bytesScanned };

  const report = format === 'sarif' ? formatSarif(gate, DETECTORS, version())
    : format === 'json' ? formatJson(gate, result.notices, stats, v['show-secrets'] === true)
    : formatText(gate, result.notices, stats);
  if (v.output !== undefined) {
    try { writeFileSync(v.output, `${report}\n`); } catch (e) { throw usage('--output', `--output ${v.output}: ${(e as Error).message}`, 'writable'); }
  } else io.out(report);
  // Machine formats keep standard output parseable: notices and the summary go to standard error.
  if (format !== 'text' || v.output !== undefined) {
    for (const n of result.notices) io.err(`tessera scan: ${n.kind}: ${n.path}: ${n.reason}`);
    io.err(`tessera scan: ${gate.open.length} finding(s), ${gate.failing.length} at or above ${failOn}`);
  }

  let reportFailed = false;
  const dataDir = v.data ?? io.env.TESSERA_DATA ?? DEFAULT_DATA_DIR;
  const as = { tokenFile: v['token-file'], token: io.env.TESSERA_TOKEN };
  if (v['report-to'] !== undefined && gate.open.length > 0) {
    try {
      // Loaded only when a report is sent: it pulls in the HTTP client and admin-key code (~0.1 s of start-up).
      const { reportFindings } = await import('../../scanner/report/index.ts');
      const res = await reportFindings({ server: v['report-to'], dataDir, ...as }, gate.open.map(toReport));
      for (const r of res.revoked) io.err(`tessera scan: revoked ${r.kind} of ${r.identity} found in ${r.path} (${r.created ? 'now' : 'already revoked'})`);
      for (const i of res.instructions) io.err(`tessera scan: revoke by hand ${i.detector} in ${i.path}: ${i.step}`);
    } catch (e) {
      io.err(`tessera scan: report to ${v['report-to']} failed: ${(e as Error).message}`);
      reportFailed = true;
    }
  }
  if (v['break-glass'] !== undefined && !gate.pass) {
    const actor = io.env.TESSERA_ACTOR ?? io.env.GITHUB_ACTOR ?? io.env.GITLAB_USER_LOGIN ?? io.env.USER ?? 'unknown';
    // If the record cannot be made the gate stays closed: a bypass is never silent.
    const { recordBreakGlass } = await import('../../scanner/report/index.ts');
    const rec = await recordBreakGlass({ server: v['report-to'], dataDir, ...as }, { reason: v['break-glass'], findings: gate.failing.map(toReport), actor });
    io.err(rec.recorded === 'server'
      ? `tessera scan: break-glass by ${actor} recorded in the server's audit log; ${gate.failing.length} finding(s) let through`
      : `tessera scan: break-glass by ${actor} recorded in ${rec.file}${rec.serverError ? ` (server: ${rec.serverError})` : ''}; ${gate.failing.length} finding(s) let through`);
    return reportFailed ? EXIT.FAIL : incomplete(result);
  }
  if (!gate.pass || reportFailed) return EXIT.FAIL;
  return incomplete(result);
}

/** A scan that could not read everything is not a clean pass. */
function incomplete(result: ScanResult): number {
  return result.notices.some((n) => n.kind === 'error') ? EXIT.USAGE : EXIT.OK;
}

function toReport(f: Finding) {
  return { detector: f.detector, secret: f.secret, path: f.path, line: f.line, fingerprint: f.fingerprint };
}
