import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { keyValues, parse } from '../args.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';
import { RULES, type RuleMode } from '../../policy/workload/index.ts';
import { checkManifests, formatSarif, formatText, parseExceptions, summaryLine, type CheckReport } from '../../policy/check/index.ts';
import { readManifestFile } from '../../policy/check/load-manifests.ts';

const HELP = `Usage: tessera policy check FILE|DIR|- ... [--format text|json|sarif] [--output FILE]
                            [--exceptions FILE] [--env ENV] [--approved-registry REG ...] [--mode RULE=MODE ...]
                            [--base DIR]

Checks Kubernetes manifests offline against the same rules the admission webhook enforces (Pod
Security Standards "restricted" plus Tessera's identity rules). FILE may hold many YAML documents
and List objects; a DIR is searched recursively for *.yaml, *.yml and *.json (hidden folders and
node_modules skipped); - reads standard input. No server is needed.

  --format F             text (default), json, or sarif (SARIF 2.1.0, for code scanning)
  --output FILE          write the report to FILE; the summary line still goes to standard output
  --exceptions FILE      exceptions to honour (YAML or JSON list: name, policy, scope, expiresAt);
                         expired or revoked ones are ignored and reported as such
  --env ENV              the environment the manifests deploy to (e.g. prod: stricter identity rules)
  --approved-registry R  an image registry images may come from (repeat); none given: not checked
  --mode RULE=MODE       run RULE in MODE (enforce, warn or audit) instead of its default (repeat);
                         e.g. --mode identity.owner-label=warn while labels are being rolled out
  --base DIR             report paths relative to DIR (default: the current folder)

Exit status: 0 no enforce-mode violation (warn and audit findings are printed but pass),
1 at least one enforce-mode violation, 2 bad usage or unreadable or unparsable input
(named with file and line).`;

const FORMATS = ['text', 'json', 'sarif'] as const;
type Format = (typeof FORMATS)[number];

const OPTIONS = {
  format: { type: 'string' },
  output: { type: 'string' },
  exceptions: { type: 'string' },
  env: { type: 'string' },
  'approved-registry': { type: 'string', multiple: true },
  mode: { type: 'string', multiple: true },
  base: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

function version(): string {
  try {
    const pkg = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', '..', 'package.json'), 'utf8')) as { version?: string };
    return pkg.version ?? '0.0.0';
  } catch { return '0.0.0'; }
}

const MODES: readonly RuleMode[] = ['enforce', 'warn', 'audit'];

function ruleModes(flags: string[] | undefined): Record<string, RuleMode> | undefined {
  const pairs = keyValues(flags, '--mode');
  if (!pairs) return undefined;
  const known = new Set(RULES.map((r) => r.id));
  for (const [rule, mode] of Object.entries(pairs)) {
    if (!known.has(rule)) throw new TesseraError('ERR_INVALID_INPUT', `--mode: unknown rule "${rule}" (one of ${[...known].join(', ')})`, { field: '--mode', rule: 'known rule' });
    if (!MODES.includes(mode as RuleMode)) throw new TesseraError('ERR_INVALID_INPUT', `--mode: "${mode}" for ${rule} must be one of ${MODES.join(', ')}`, { field: '--mode', rule: 'enum' });
  }
  return pairs as Record<string, RuleMode>;
}

export function render(report: CheckReport, format: Format): string {
  if (format === 'json') return JSON.stringify(report, null, 2);
  if (format === 'sarif') return JSON.stringify(formatSarif(report, RULES, version()), null, 2);
  return formatText(report);
}

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values, positionals } = parse(argv, OPTIONS, Number.MAX_SAFE_INTEGER);
  if (values.help) { io.out(HELP); return EXIT.OK; }
  if (positionals.length === 0) {
    throw new TesseraError('ERR_INVALID_INPUT', 'policy check needs a FILE, DIR or - (standard input); see tessera policy check --help', { field: 'FILE', rule: 'usage' });
  }
  const format = (values.format ?? 'text') as Format;
  if (!FORMATS.includes(format)) {
    throw new TesseraError('ERR_INVALID_INPUT', `--format: "${values.format}" must be one of ${FORMATS.join(', ')}`, { field: '--format', rule: 'enum' });
  }
  if (values.env === '') throw new TesseraError('ERR_INVALID_INPUT', '--env: must not be empty', { field: '--env', rule: 'required' });
  if (positionals.filter((p) => p === '-').length > 1) {
    throw new TesseraError('ERR_INVALID_INPUT', 'standard input (-) can be read once', { field: '-', rule: 'usage' });
  }
  const modes = ruleModes(values.mode);
  const exceptions = values.exceptions === undefined ? undefined : parseExceptions(values.exceptions, readManifestFile(values.exceptions));
  const report = checkManifests({
    paths: positionals,
    environment: values.env,
    approvedRegistries: values['approved-registry'],
    exceptions,
    modes,
    now: Date.now(),
    baseDir: values.base ?? process.cwd(),
    readStdin: () => readFileSync(0, 'utf8'),
  });
  const text = render(report, format);
  if (values.output !== undefined) {
    try { writeFileSync(values.output, text.endsWith('\n') ? text : `${text}\n`); } catch (e) {
      throw new TesseraError('ERR_INVALID_INPUT', `--output: cannot write ${values.output} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`, { field: '--output', rule: 'writable' });
    }
    io.out(summaryLine(report));
  } else io.out(text);
  return report.passed ? EXIT.OK : EXIT.FAIL;
}
