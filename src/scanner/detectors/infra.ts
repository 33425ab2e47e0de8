// Infrastructure credentials: Vault, Kubernetes, databases, hosting platforms and Tessera itself.
import { parseStaticKey } from '../../identity/static-keys/index.ts';
import { nearby, tokenDetector } from './define.ts';
import { isHardNegative, isPlaceholder } from './hard-negatives.ts';
import type { Detector } from './types.ts';

// Passwords so well known that a URI carrying them is a local-development example, not a leak.
const DEFAULT_PASSWORDS = new Set(['password', 'pass', 'passwd', 'postgres', 'root', 'admin', 'secret', 'test', 'guest', 'pwd', 'mysql', 'redis', 'user']);

export const INFRA_DETECTORS: Detector[] = [
  tokenDetector({
    id: 'tessera-static-key', title: 'Tessera static API key', severity: 'critical', keywords: ['tsk_'],
    pattern: /\btsk_[0-9A-Za-z]{36}\b/g,
    revocation: 'Report it to Tessera (tessera scan --report-to) to revoke it automatically, or revoke the key by id.',
    // The checksum tells a real key from a look-alike; a look-alike is not reported at all.
    confirm: (secret) => (parseStaticKey(secret).ok ? { secret, confidence: 'high', details: { checksum: 'valid' } } : null),
  }),
  tokenDetector({
    id: 'vault-token', title: 'HashiCorp Vault token', severity: 'critical', keywords: ['hvs.', 'hvb.'],
    pattern: /\bhv[sb]\.[0-9A-Za-z_-]{90,300}(?![0-9A-Za-z_-])/g,
    revocation: 'Revoke it: vault token revoke <token> (or revoke the accessor).',
    confirm: (secret) => ({ secret, confidence: 'high', details: { type: secret.startsWith('hvb.') ? 'batch' : 'service' } }),
  }),
  tokenDetector({
    id: 'vault-legacy-token', title: 'HashiCorp Vault token (legacy format)', severity: 'high', keywords: ['vault'],
    pattern: /\bs\.[0-9A-Za-z]{24}\b/g, confidence: 'medium', revocation: 'Revoke it: vault token revoke <token>.',
    reach: { before: 300, after: 300 }, // "vault" named within 256 characters
    confirm: (_s, match) => /vault/i.test(nearby(match, 256)),
  }),
  tokenDetector({
    id: 'kubeconfig-credential', title: 'Kubernetes kubeconfig user credential', severity: 'critical', keywords: ['current-context', 'kind: config'],
    pattern: /^[ \t-]*(client-key-data|token|password)[ \t]*:[ \t]*["']?([0-9A-Za-z+/=._~-]{16,})["']?[ \t]*$/gm, group: 2,
    // The credential can be anywhere in the file's neighbourhood of `current-context`/`kind: Config`.
    reach: { before: 8192, after: 8192 },
    revocation: 'Rotate the user credential in the kubeconfig (delete the service-account token Secret or reissue the client certificate).',
    confirm: (secret, match) => {
      const around = nearby(match);
      if (!/users:/.test(around) || !/(kind:[ \t]*Config|current-context:)/.test(around)) return null;
      if (/^eyJ[0-9A-Za-z_-]+\.eyJ/.test(secret)) return null; // JWTs are decoded by the JWT rules
      return { secret, confidence: 'high', details: { field: match[1] } };
    },
  }),
  {
    id: 'database-uri-password', title: 'Database connection URI with password', severity: 'high',
    keywords: ['postgres', 'mysql', 'mariadb', 'mongodb', 'redis', 'amqp', 'mssql', 'sqlserver', 'cockroachdb', 'clickhouse'],
    reach: { before: 0, after: 1024, sameLine: true }, // the scheme starts the URI, which ends on its line
    pattern: /\b(postgres(?:ql)?|mysql|mariadb|mongodb(?:\+srv)?|rediss?|amqps?|mssql|sqlserver|cockroachdb|clickhouse)(?:\+[a-z0-9]+)?:\/\/([^:@\s/'"`]+):([^@\s'"`]+)@([^\s/'"`?:,;]+)/gi,
    revocation: 'Change the database user’s password and check the server logs for logins with it.',
    check(match) {
      const [, scheme = '', user = '', password = '', host = ''] = match;
      if (password.length < 4 || isHardNegative(password) || isHardNegative(user) || isPlaceholder(host) || /^\*+$/.test(password)) return null;
      // `mypassword`, `somepassword`, `secret123`: what documentation writes where a password goes.
      if (DEFAULT_PASSWORDS.has(password.toLowerCase()) || password.toLowerCase() === user.toLowerCase() || /pass(word)?|secret/i.test(password)) return null;
      const local = /^(localhost|127\.0\.0\.1|\[::1\]|0\.0\.0\.0)$/i.test(host);
      return { secret: password, confidence: local ? 'low' : 'high', details: { scheme: scheme.toLowerCase(), user, host } };
    },
  },
  tokenDetector({
    id: 'digitalocean-token', title: 'DigitalOcean token', severity: 'critical', keywords: ['_v1_'],
    pattern: /\bdo[opr]_v1_[0-9a-f]{64}\b/g, reach: { before: 4, after: 80, sameLine: true }, revocation: 'Delete the token under API → Tokens in the DigitalOcean console.',
  }),
  tokenDetector({
    id: 'databricks-token', title: 'Databricks personal access token', severity: 'high', keywords: ['dapi'],
    pattern: /\bdapi[0-9a-f]{32}(?:-\d)?\b/g, revocation: 'Revoke it under User Settings → Access tokens in Databricks.',
  }),
  tokenDetector({
    id: 'terraform-cloud-token', title: 'Terraform Cloud / Enterprise API token', severity: 'critical', keywords: ['atlasv1'],
    pattern: /\b[0-9A-Za-z]{14}\.atlasv1\.[0-9A-Za-z_-]{60,70}(?![0-9A-Za-z_-])/g, reach: { before: 16, after: 96, sameLine: true }, revocation: 'Revoke it under User Settings → Tokens in Terraform Cloud.',
  }),
];
