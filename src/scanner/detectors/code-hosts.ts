// Source hosting and package registries: GitHub, GitLab, npm, PyPI, Docker Hub, Hugging Face.
import { hasValidCrc32Base62 } from './checksum.ts';
import { tokenDetector } from './define.ts';
import type { Detector, DetectorHit } from './types.ts';

const GITHUB_REVOKE = 'Revoke at https://github.com/settings/tokens (or the app/OAuth settings that issued it), or report it through the GitHub credential revocation API.';

function checksummed(prefix: string) {
  return (secret: string): DetectorHit | null =>
    hasValidCrc32Base62(secret, prefix) ? { secret, confidence: 'high', details: { checksum: 'valid' } } : null;
}

function github(prefix: string, id: string, title: string): Detector {
  return tokenDetector({
    id, title, severity: 'critical', keywords: [prefix],
    pattern: new RegExp(`\\b${prefix}[0-9A-Za-z]{36}\\b`, 'g'),
    revocation: GITHUB_REVOKE,
    confirm: checksummed(prefix),
  });
}

export const CODE_HOST_DETECTORS: Detector[] = [
  github('ghp_', 'github-pat-classic', 'GitHub personal access token (classic)'),
  github('gho_', 'github-oauth-token', 'GitHub OAuth access token'),
  github('ghu_', 'github-user-to-server-token', 'GitHub App user-to-server token'),
  github('ghs_', 'github-server-to-server-token', 'GitHub App installation token'),
  github('ghr_', 'github-refresh-token', 'GitHub App refresh token'),
  tokenDetector({
    id: 'github-pat-fine-grained', title: 'GitHub fine-grained personal access token', severity: 'critical',
    keywords: ['github_pat_'], pattern: /\bgithub_pat_[0-9A-Za-z]{22}_[0-9A-Za-z]{59}\b/g, revocation: GITHUB_REVOKE,
  }),
  tokenDetector({
    id: 'gitlab-pat', title: 'GitLab personal/project/group access token', severity: 'critical', keywords: ['glpat-'],
    // Legacy: 20 characters. Routable (GitLab 17.x+): base64url payload, then ".<version>.<crc>".
    pattern: /\bglpat-(?:[0-9A-Za-z_-]{27,300}\.[0-9a-z]{2}\.[0-9a-z]{7,9}|[0-9A-Za-z_-]{20})(?![0-9A-Za-z_.-])/g,
    revocation: 'Revoke under User Settings → Access Tokens (or the project/group token page) in GitLab.',
    confirm: (secret) => ({ secret, confidence: 'high', details: { format: secret.includes('.') ? 'routable' : 'legacy' } }),
  }),
  tokenDetector({
    id: 'gitlab-runner-token', title: 'GitLab runner authentication token', severity: 'high', keywords: ['glrt-'],
    pattern: /\bglrt-[0-9A-Za-z_-]{20,}(?:\.[0-9a-z]{2}\.[0-9a-z]{7,9})?(?![0-9A-Za-z_-])/g,
    revocation: 'Reset the runner token in the GitLab runner settings.',
  }),
  tokenDetector({
    id: 'gitlab-deploy-token', title: 'GitLab deploy token', severity: 'high', keywords: ['gldt-'],
    pattern: /\bgldt-[0-9A-Za-z_-]{20,}(?![0-9A-Za-z_-])/g, revocation: 'Revoke under Settings → Repository → Deploy tokens.',
  }),
  tokenDetector({
    id: 'gitlab-pipeline-trigger-token', title: 'GitLab pipeline trigger token', severity: 'high', keywords: ['glptt-'],
    pattern: /\bglptt-[0-9a-f]{40}\b/g, revocation: 'Revoke under Settings → CI/CD → Pipeline trigger tokens.',
  }),
  tokenDetector({
    id: 'npm-access-token', title: 'npm access token', severity: 'critical', keywords: ['npm_'],
    pattern: /\bnpm_[0-9A-Za-z]{36}\b/g, confirm: checksummed('npm_'),
    revocation: 'Run `npm token revoke <id>` or delete it under Access Tokens on npmjs.com.',
  }),
  tokenDetector({
    id: 'pypi-upload-token', title: 'PyPI upload token', severity: 'critical', keywords: ['pypi-ageichlwas5vcmc'],
    // A macaroon whose first bytes always encode the location "pypi.org".
    pattern: /\bpypi-AgEIcHlwaS5vcmc[0-9A-Za-z_-]{50,}/g, revocation: 'Remove the token under Account settings → API tokens on pypi.org.',
  }),
  tokenDetector({
    id: 'dockerhub-pat', title: 'Docker Hub personal access token', severity: 'high', keywords: ['dckr_pat_'],
    pattern: /\bdckr_pat_[0-9A-Za-z_-]{27}(?![0-9A-Za-z_-])/g, revocation: 'Delete it under Account settings → Security on hub.docker.com.',
  }),
  tokenDetector({
    id: 'huggingface-token', title: 'Hugging Face access token', severity: 'high', keywords: ['hf_'],
    pattern: /\bhf_[A-Za-z]{34}\b/g, revocation: 'Invalidate it under Settings → Access Tokens on huggingface.co.',
  }),
];
