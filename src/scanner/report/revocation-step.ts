/** Said when no detector describes how its provider revokes a credential. */
export const GENERIC_STEP = 'Revoke or rotate this credential at the provider that issued it, then remove it from the file and its history.';

let steps: Promise<Map<string, string>> | undefined;

/**
 * Detector id → the provider's revocation step, from the detector catalogue. Loaded lazily and by
 * a computed path so that the server does not depend on the catalogue being present.
 */
function loadSteps(): Promise<Map<string, string>> {
  steps ??= import(new URL('../detectors/index.ts', import.meta.url).href).then(
    (m: { DETECTORS?: { id: string; revocation?: string }[] }) =>
      new Map((m.DETECTORS ?? []).filter((d) => typeof d.revocation === 'string' && d.revocation !== '').map((d) => [d.id, d.revocation!])),
    () => new Map<string, string>(),
  );
  return steps;
}

/** The step a human must take to revoke a credential found by this detector. */
export async function revocationStep(detector: string): Promise<string> {
  return (await loadSteps()).get(detector) ?? GENERIC_STEP;
}
