/**
 * Offline policy checks for CI: Kubernetes manifests in files and folders are run through the
 * same workload rules as the admission webhook, with exceptions from a file, and reported as
 * text, JSON or SARIF 2.1.0.
 */
export { checkManifests, type CheckFinding, type CheckInput, type CheckReport } from './check-manifests.ts';
export { loadManifests, parseManifests, collectFiles, type ManifestObject } from './load-manifests.ts';
export { parseExceptions } from './load-exceptions.ts';
export { formatText, summaryLine } from './format-text.ts';
export { formatSarif, fingerprint, SARIF_SCHEMA_URI } from './format-sarif.ts';
