// Child process of bench/inventory.ts: imports one export into a fresh SQLite store the way the
// server does (spool, parse, one transaction, correlation, posture history) and prints the time
// and this process's peak RSS as JSON.
import { createReadStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../src/store/index.ts';
import { systemClock } from '../src/shared/clock.ts';
import { SYSTEM } from '../src/shared/context.ts';
import { runImport, spoolExport, CORRELATION_RULES } from '../src/inventory/index.ts';

const [source, file, dataDir, scope] = process.argv.slice(2) as [string, string, string, string];
mkdirSync(dataDir, { recursive: true });
const store = await openStore({ dataDir });
const t = process.hrtime.bigint();
const spooled = await spoolExport(createReadStream(file, { highWaterMark: 1 << 20 }), join(dataDir, 'tmp'), 8 * 1024 ** 3);
const result = await runImport({ store, clock: systemClock, correlationRules: CORRELATION_RULES, posture: { unusedDays: 90 } }, SYSTEM,
  { source, scope: scope || undefined, file: spooled });
const seconds = Number(process.hrtime.bigint() - t) / 1e9;
spooled.remove();
await store.close();
console.log(JSON.stringify({ seconds, records: result.import.records, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024) }));
