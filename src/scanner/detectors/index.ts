// Secret detectors: one record per credential type, plus the reference scanner over one string.
import { CLOUD_DETECTORS } from './cloud.ts';
import { CODE_HOST_DETECTORS } from './code-hosts.ts';
import { genericAssignmentDetector } from './generic.ts';
import { INFRA_DETECTORS } from './infra.ts';
import { JWT_DETECTORS } from './jwt.ts';
import { PRIVATE_KEY_DETECTORS } from './private-keys.ts';
import { SAAS_DETECTORS } from './saas.ts';
import { scanWith } from './scan-text.ts';
import type { Detector, RawFinding } from './types.ts';

export type { Confidence, Detector, DetectorHit, RawFinding, Severity } from './types.ts';
export { NEARBY_CHARS } from './types.ts';
export { decodeJwt } from './jwt.ts';
export { isHardNegative, isHashLike, isPlaceholder, isTemplateRef, isUuid, shannonEntropy } from './hard-negatives.ts';
export { scanWith } from './scan-text.ts';

const SPECIFIC: Detector[] = [
  ...CLOUD_DETECTORS, ...CODE_HOST_DETECTORS, ...SAAS_DETECTORS, ...INFRA_DETECTORS, ...JWT_DETECTORS, ...PRIVATE_KEY_DETECTORS,
];

/** Every detector; the generic assignment rule comes last and defers to the specific ones. */
export const DETECTORS: Detector[] = [...SPECIFIC, genericAssignmentDetector(SPECIFIC)];

/** Every detector over one string. */
export function scanText(text: string): RawFinding[] {
  return scanWith(DETECTORS, text);
}
