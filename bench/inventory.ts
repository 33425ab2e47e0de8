// Inventory benchmarks (issue 7): import a generated AWS credential report of 200k users and a
// Kubernetes List of 100k objects into SQLite, as records/s against plain parsing of the same
// file measured in the same run, with the import's peak RSS (measured in a child process so the
// generator's memory does not count); then `posture` over 1M credentials.
import { execFileSync } from 'node:child_process';
import { createReadStream, createWriteStream, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import type { BenchResult } from './result.ts';
import { IMPORTERS } from '../src/inventory/importers/index.ts';

const USERS = Number(process.env.BENCH_AWS_USERS ?? 200_000);
const K8S_OBJECTS = Number(process.env.BENCH_K8S_OBJECTS ?? 100_000);
const POSTURE_ITEMS = Number(process.env.BENCH_POSTURE_ITEMS ?? 1_000_000);

const iso = (d: number) => new Date(Date.parse('2026-01-01T00:00:00Z') - d * 86_400_000).toISOString().replace('.000Z', '+00:00');

async function writeLines(path: string, lines: Iterable<string>): Promise<void> {
  const out = createWriteStream(path);
  for (const l of lines) if (!out.write(l)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
}

function* credentialReport(n: number): Generator<string> {
  yield 'user,arn,user_creation_time,password_enabled,password_last_used,password_last_changed,password_next_rotation,mfa_active,access_key_1_active,access_key_1_last_rotated,access_key_1_last_used_date,access_key_1_last_used_region,access_key_1_last_used_service,access_key_2_active,access_key_2_last_rotated,access_key_2_last_used_date,access_key_2_last_used_region,access_key_2_last_used_service,cert_1_active,cert_1_last_rotated,cert_2_active,cert_2_last_rotated\n';
  for (let i = 0; i < n; i++) {
    const used = i % 3 === 0 ? 'N/A' : iso(i % 200);
    yield `svc-${i},arn:aws:iam::123456789012:user/svc-${i},${iso(400 + (i % 900))},false,N/A,N/A,N/A,false,true,${iso(i % 700)},${used},${i % 3 === 0 ? 'N/A' : 'us-east-1'},${i % 3 === 0 ? 'N/A' : 's3'},${i % 5 === 0},${i % 5 === 0 ? iso(i % 50) : 'N/A'},N/A,N/A,N/A,false,N/A,false,N/A\n`;
  }
}

function* kubernetesList(n: number): Generator<string> {
  yield '{"apiVersion":"v1","items":[';
  for (let i = 0; i < n; i++) {
    const ns = `team-${i % 200}`;
    const sep = i === 0 ? '' : ',';
    if (i % 2 === 0) {
      yield `${sep}{"apiVersion":"v1","kind":"ServiceAccount","metadata":{"creationTimestamp":"2026-01-01T00:00:00Z","name":"sa-${i}","namespace":"${ns}","uid":"u-${i}","labels":{"owner":"team-${i % 50}","tier":"${1 + (i % 3)}"}}}`;
    } else if (i % 4 === 1) {
      yield `${sep}{"apiVersion":"v1","data":{"token":"ZmFrZQ=="},"kind":"Secret","metadata":{"annotations":{"kubernetes.io/service-account.name":"sa-${i - 1}"},"creationTimestamp":"2025-06-01T00:00:00Z","name":"sa-${i - 1}-token","namespace":"${ns}","uid":"s-${i}"},"type":"kubernetes.io/service-account-token"}`;
    } else if (i % 4 === 3 && i % 8 === 3) {
      yield `${sep}{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"Role","metadata":{"name":"role-${i}","namespace":"${ns}","uid":"r-${i}"},"rules":[{"apiGroups":[""],"resources":["pods","configmaps"],"verbs":["get","list"]}]}`;
    } else {
      yield `${sep}{"apiVersion":"rbac.authorization.k8s.io/v1","kind":"RoleBinding","metadata":{"name":"rb-${i}","namespace":"${ns}","uid":"b-${i}"},"roleRef":{"apiGroup":"rbac.authorization.k8s.io","kind":"Role","name":"role-${i - 4}"},"subjects":[{"kind":"ServiceAccount","name":"sa-${i - 3}","namespace":"${ns}"}]}`;
    }
  }
  yield '],"kind":"List","metadata":{"resourceVersion":""}}\n';
}

/** Plain parsing as the floor: split each CSV line; JSON.parse the whole List. */
async function plainCsv(path: string): Promise<number> {
  let n = 0;
  for await (const line of createInterface({ input: createReadStream(path) })) { if (line.split(',').length > 1) n++; }
  return n - 1;
}
const plainJson = (path: string) => (JSON.parse(readFileSync(path, 'utf8')) as { items: unknown[] }).items.length;

interface ChildResult { seconds: number; records: number; maxRssMb: number }
function importInChild(source: string, file: string, dataDir: string, scope?: string): ChildResult {
  const out = execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'inventory-import-child.ts'), source, file, dataDir, scope ?? ''], { encoding: 'utf8', maxBuffer: 1 << 20 });
  return JSON.parse(out.trim().split('\n').at(-1)!) as ChildResult;
}

async function timed<T>(fn: () => Promise<T> | T): Promise<{ seconds: number; value: T }> {
  const t = process.hrtime.bigint();
  const value = await fn();
  return { seconds: Number(process.hrtime.bigint() - t) / 1e9, value };
}

export async function benchInventory(): Promise<BenchResult[]> {
  const dir = mkdtempSync(join(tmpdir(), 'tessera-bench-inventory-'));
  const results: BenchResult[] = [];
  try {
    const csv = join(dir, 'credential-report.csv');
    const list = join(dir, 'kubernetes.json');
    await writeLines(csv, credentialReport(USERS));
    await writeLines(list, kubernetesList(K8S_OBJECTS));
    for (const [label, source, file, plain, scope] of [
      [`AWS credential report, ${USERS.toLocaleString('en-US')} users`, 'aws-credential-report', csv, () => plainCsv(csv), undefined],
      [`Kubernetes List, ${K8S_OBJECTS.toLocaleString('en-US')} objects`, 'kubernetes', list, () => plainJson(list), 'bench'],
    ] as const) {
      const floor = await timed(plain);
      const imported = importInChild(source, file, join(dir, `data-${source}`), scope);
      const floorRate = floor.value / floor.seconds;
      // Rates are in rows of the export (users, objects) per second, so both sides count the same thing.
      const rate = floor.value / imported.seconds;
      // The importer alone (stream, parse, normalise into records), against the same floor.
      const parsed = await timed(async () => {
        let n = 0;
        for await (const _ of IMPORTERS[source].parse(createReadStream(file, { highWaterMark: 1 << 20 }), { scope, now: Date.now() }).records) n++;
        return n;
      });
      const parseRate = floor.value / parsed.seconds;
      results.push({ name: `parse ${label} (importer alone, no store)`, value: parseRate, unit: 'rows/s', ratio: parseRate / floorRate, against: 'plain parsing of the same file' });
      results.push({ name: `import ${label} into SQLite`, value: rate, unit: 'rows/s', ratio: rate / floorRate, against: `plain parsing of the same file (${Math.round(floorRate).toLocaleString('en-US')} rows/s)` });
      results.push({ name: `import ${label}: peak RSS (${imported.records.toLocaleString('en-US')} records)`, value: imported.maxRssMb, unit: 'MB' });
    }
    const posture = JSON.parse(execFileSync(process.execPath, ['--disable-warning=ExperimentalWarning', join(import.meta.dirname, 'inventory-posture-child.ts'), String(POSTURE_ITEMS), join(dir, 'posture')], { encoding: 'utf8' }).trim().split('\n').at(-1)!) as { seconds: number; floorSeconds: number };
    results.push({ name: `tessera posture over ${POSTURE_ITEMS.toLocaleString('en-US')} credentials (SQLite)`, value: posture.seconds, unit: 's', ratio: posture.seconds / posture.floorSeconds, against: 'one COUNT(*) scan of the same table' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return results;
}
