import { writeFileSync } from 'node:fs';
import { CLIENT_OPTIONS, parse } from '../args.ts';
import { connect } from '../client.ts';
import { EXIT, type CliIo } from '../io.ts';
import { TesseraError } from '../../shared/errors.ts';

const HELP = `Usage: tessera drift [--since 7d|DATE-TIME] [--format markdown|json] [--out FILE]

What changed in the inventory since then: new identities and credentials, new or widened
privileges, credentials that newly expired while still active, removed items, and how each
posture metric moved. --since 7d gives the weekly report.

  --since D            a duration back from now (7d, 24h) or a date-time (default 7d)
  --format F           markdown (default) or json (same as --json)
  --out FILE           write the report to FILE instead of standard output
  --server URL         the Tessera server (or TESSERA_SERVER; default http://127.0.0.1:8080)
  --data DIR           the server's data folder, where admin.key is (or TESSERA_DATA)
  --json               print the report as JSON`;

export async function run(argv: string[], io: CliIo): Promise<number> {
  const { values: v } = parse(argv, { ...CLIENT_OPTIONS, since: { type: 'string' }, format: { type: 'string' }, out: { type: 'string' } });
  if (v.help) { io.out(HELP); return EXIT.OK; }
  if (v.format !== undefined && v.format !== 'markdown' && v.format !== 'json') {
    throw new TesseraError('ERR_INVALID_INPUT', '--format: must be markdown or json', { field: '--format', rule: 'one of' });
  }
  const json = v.json === true || v.format === 'json';
  const q = new URLSearchParams({ since: v.since ?? '7d', format: json ? 'json' : 'markdown' });
  const res = await connect(v, io).fetch('GET', `/v1/inventory/drift?${q}`);
  const text = json ? JSON.stringify(await res.json(), null, 2) : await res.text();
  if (v.out !== undefined) { writeFileSync(v.out, text.endsWith('\n') ? text : `${text}\n`); io.err(`drift report written to ${v.out}`); }
  else io.out(text);
  return EXIT.OK;
}
