// Turns hygiene items into a shell script of the platforms' own CLI commands (aws, kubectl,
// gcloud, gh, vault, tessera). Tessera only prints it: a person reviews it and runs it with their
// own credentials. Reversible steps (deactivate, disable, annotate) are live; steps that need a
// person in between (rotations, migrations) or cannot be undone beyond what was asked are
// printed commented out.
import { sh, shComment } from './shell-quote.ts';
import { step, type FixPlanItem, type FixStep } from './fix-types.ts';
import { HYGIENE_DEFINITIONS, HYGIENE_LIST_IDS } from './hygiene-definitions.ts';
import { awsFix } from './fix-aws.ts';
import { kubernetesFix } from './fix-kubernetes.ts';
import { gcpFix } from './fix-gcp.ts';
import { githubFix } from './fix-github.ts';
import { vaultFix } from './fix-vault.ts';
import { tesseraFix } from './fix-tessera.ts';

export type { FixPlanItem } from './fix-types.ts';

function stepFor(item: FixPlanItem, n: number): FixStep {
  if (item.action === 'split') {
    return step({ notes: ['split: create one identity per environment and move each environment\'s workloads to its own, then remove the shared one'] });
  }
  switch (item.source) {
    case 'aws-credential-report':
    case 'aws-authorization-details': return awsFix(item, n);
    case 'kubernetes': return kubernetesFix(item);
    case 'gcp-service-accounts':
    case 'gcp-service-account-keys': return gcpFix(item);
    case 'github-actions-secrets':
    case 'github-deploy-keys': return githubFix(item);
    case 'vault-kv-metadata': return vaultFix(item);
    case 'tessera': return tesseraFix(item);
    default: return step({ notes: [`no command known for source ${item.source}: act on it by hand`] });
  }
}

// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * Quoting keeps a newline or escape inside a value harmless to sh, but not to the person
 * reviewing the script, who would read one command as two. No platform allows such names, so a
 * step whose commands hold one is not printed as a command at all.
 */
function guarded(s: FixStep, n: number): FixStep {
  const commands = [...s.run, ...(s.owner ? [s.owner.command(`owner_${n}`)] : [])];
  if (!commands.some((c) => CONTROL.test(c))) return s;
  return step({ notes: [...s.notes, 'a value holds control characters (not a valid name on any platform): check the export and act by hand'], manual: s.manual });
}

const HEADER = [
  '#!/bin/sh',
  '# Tessera fix plan, generated from the inventory\'s hygiene lists.',
  '# Tessera never runs this script. Review every line, set the owner_N variables, then run it',
  '# yourself with credentials for each platform. Steps that need a person between them',
  '# (rotations, migrations, deleting what was only disabled) are commented out.',
  'set -eu',
];

export function fixPlan(items: readonly FixPlanItem[]): string {
  const out = [...HEADER];
  const owners = new Map<string, string>(); // tag target → the variable that holds its owner
  const done = new Set<string>();
  let n = 0;
  for (const list of HYGIENE_LIST_IDS) {
    const mine = items.filter((i) => i.list === list);
    if (mine.length === 0) continue;
    out.push('', shComment(`== ${HYGIENE_DEFINITIONS[list].title} (${mine.length})`));
    for (const item of mine) {
      n++;
      const s = guarded(stepFor(item, n), n);
      out.push('', shComment(`[${n}] ${item.action}: ${item.name} (${item.source} ${item.kind}) ${item.nativeId}`), shComment(item.reason));
      for (const note of s.notes) out.push(shComment(note));
      if (s.owner) {
        const seen = owners.get(s.owner.target);
        if (seen !== undefined) {
          out.push(shComment(`owner: set with ${seen} above`));
        } else {
          const v = `owner_${owners.size + 1}`;
          owners.set(s.owner.target, v);
          out.push(`${v}=''`);
          out.push(`if [ -n "$${v}" ]; then ${s.owner.command(v)}; else echo ${sh(`skipped [${n}]: set ${v} first`)} >&2; fi`);
        }
      }
      for (const line of s.run) {
        // The same command for two items (a user listed as unused twice) runs once.
        if (done.has(line)) { out.push(shComment('(the same command ran above)')); continue; }
        done.add(line);
        out.push(line);
      }
      // shComment: a quoted argument may hold a newline, which would end a plain comment.
      for (const line of s.manual) out.push(shComment(line));
    }
  }
  if (n === 0) out.push('', '# nothing to fix');
  return `${out.join('\n')}\n`;
}
