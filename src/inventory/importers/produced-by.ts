import type { SourceKind } from '../types.ts';
import { IMPORTERS } from './index.ts';
import { tesseraSourceInfo } from './tessera-registry.ts';

/** For --help: the command that produces each kind of export. */
export const PRODUCED_BY: Record<SourceKind, string> = {
  ...Object.fromEntries(Object.entries(IMPORTERS).map(([k, i]) => [k, i.producedBy])) as Record<Exclude<SourceKind, 'tessera'>, string>,
  tessera: tesseraSourceInfo.producedBy,
};
