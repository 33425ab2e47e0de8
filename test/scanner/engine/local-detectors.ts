import type { DetectorLike } from '../../../src/scanner/engine/types.ts';

// A tiny detector list so engine tests do not depend on the real rule set's details.
export const TEST_DETECTORS: DetectorLike[] = [
  {
    id: 'test-github-pat', title: 'Test GitHub token', severity: 'critical', keywords: ['ghp_'],
    pattern: /\bghp_[A-Za-z0-9]{36}\b/g,
    check: (m) => ({ secret: m[0], confidence: 'high' }),
  },
  {
    id: 'test-password', title: 'Test password assignment', severity: 'medium', keywords: ['password'],
    pattern: /password\s*=\s*"([^"\s]{8,})"/gi,
    check: (m) => (m[1] === 'changeme1' ? null : { secret: m[1]!, confidence: 'medium' }),
  },
  {
    id: 'test-pem', title: 'Test private key', severity: 'high', keywords: ['-----begin'],
    pattern: /-----BEGIN TEST KEY-----\n([A-Za-z0-9+/=\n]+)\n-----END TEST KEY-----/g,
    check: (m) => ({ secret: m[0], confidence: 'high' }),
  },
];

export const TOKEN = 'ghp_' + 'A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8';
export const TOKEN2 = 'ghp_' + 'Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2';
