/**
 * One benchmark figure. A ratio is against a floor or a peer measured in the same run (these
 * machines are noisy: absolute figures vary from run to run, ratios much less).
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** value / the value of `against`, measured in the same run. */
  ratio?: number;
  against?: string;
}

/** One line per result, for standalone runs. */
export function formatResult(r: BenchResult): string {
  const value = r.value >= 100 ? Math.round(r.value).toLocaleString('en-US') : r.value.toFixed(2);
  return `${r.name}: ${value} ${r.unit}${r.ratio !== undefined ? ` = ${r.ratio.toFixed(2)} × ${r.against}` : ''}`;
}
