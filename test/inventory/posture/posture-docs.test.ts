import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRIC_DEFINITIONS, METRIC_IDS } from '../../../src/inventory/posture/metric-definitions.ts';
import { HYGIENE_DEFINITIONS, HYGIENE_LIST_IDS } from '../../../src/inventory/posture/hygiene-definitions.ts';

const doc = readFileSync(join(import.meta.dirname, '../../../docs/posture.md'), 'utf8');

describe('docs/posture.md', () => {
  it('states every metric definition word for word, under a heading naming its id', () => {
    for (const id of METRIC_IDS) {
      const d = METRIC_DEFINITIONS[id];
      assert.ok(doc.includes(`### ${d.title} (\`${id}\`)\n\n${d.definition}\n`), `${id}: definition missing or different`);
    }
  });

  it('states every hygiene rule word for word, under a heading naming its id', () => {
    for (const id of HYGIENE_LIST_IDS) {
      const d = HYGIENE_DEFINITIONS[id];
      assert.ok(doc.includes(`### ${d.title} (\`${id}\`)\n\n${d.rule}\n`), `${id}: rule missing or different`);
    }
  });
});
