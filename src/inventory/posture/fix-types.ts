// What a platform's fix-plan builder turns one hygiene item into.
import type { HygieneItem } from './posture-types.ts';

/** The fields of a hygiene item a fix plan reads (a HygieneItem fits). */
export type FixPlanItem = Pick<HygieneItem,
  'list' | 'nativeId' | 'name' | 'source' | 'category' | 'kind' | 'parentId' | 'createdAt' | 'lastRotatedAt' | 'attributes' | 'reason' | 'action'>;

/** Tags or annotates one object with an owner the person running the script fills in. */
export interface OwnerTag {
  /** Identifies the object tagged, so two items sharing it (a user and its keys) tag it once. */
  target: string;
  /** The command, given the name of the shell variable holding the owner. */
  command(variable: string): string;
}

export interface FixStep {
  /** Commands the script runs. */
  run: string[];
  /** Commands printed commented out: they need a person between steps, or cannot be undone. */
  manual: string[];
  /** Explanations, printed as comments. */
  notes: string[];
  owner?: OwnerTag;
}

export const step = (s: Partial<FixStep> = {}): FixStep => ({ run: [], manual: [], notes: [], ...s });

/** A string attribute of the item, when the importer recorded one. */
export function attr(item: FixPlanItem, ...names: string[]): string | null {
  for (const n of names) {
    const v = item.attributes[n];
    if (typeof v === 'string' && v !== '') return v;
    if (typeof v === 'number' && Number.isSafeInteger(v)) return String(v);
  }
  return null;
}
