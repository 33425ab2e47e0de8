// Generic `password = "…"` / `api_key: …` assignments: the last resort, so it defers to every
// specific rule and needs entropy and context before it reports anything.
import { isHardNegative, isHashLike, isIntegrityLine, shannonEntropy } from './hard-negatives.ts';
import { nearby } from './define.ts';
import type { Confidence, Detector } from './types.ts';

// Bounded, and anchored at the start of a name, so that long identifier runs (minified code) stay linear.
const NAME = '[A-Za-z0-9_.-]{0,40}(?:password|passwd|pwd|secret|token|api[_-]?key|access[_-]?key|auth[_-]?key|private[_-]?key|credentials?)[A-Za-z0-9_.-]{0,40}';
// The name is a whole identifier run followed by an operator: the look-ahead checks that first, so
// the ~40 keyword attempts per identifier are spent only where an assignment follows (2× faster).
const ASSIGNMENT = new RegExp(`(?<![A-Za-z0-9_.-])(?=[A-Za-z0-9_.-]{1,121}["']?[ \\t]*[:=])(${NAME})["']?[ \\t]*(?::=|=>|[:=])[ \\t]*(["'\`]?)([^\\s"'\`;,)]{8,200})\\2`, 'gi');

// Names that hold something about a secret rather than the secret.
const NOT_A_SECRET_NAME = /(public|hash|digest|checksum|integrity|_?(url|uri|endpoint|path|file|dir|name|type|length|len|count|ttl|header|env|id|field|param|prefix|policy|format|regex|pattern|min|max)$)/i;
// Unquoted code: calls, property paths, booleans.
const CODE_VALUE = /^(?:[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)+|.*\(.*|true|false|null|undefined|none|nil)$/i;

function charClasses(value: string): number {
  return [/[a-z]/, /[A-Z]/, /[0-9]/, /[^A-Za-z0-9]/].filter((re) => re.test(value)).length;
}

/** The generic rule, told about the specific rules so that their secrets are not reported twice. */
export function genericAssignmentDetector(specific: readonly Detector[]): Detector {
  // The kubeconfig rule's pattern is itself a plain `token:` assignment; it is special-cased below.
  const others = specific.filter((d) => d.id !== 'kubeconfig-credential').map((d) => new RegExp(d.pattern.source, d.pattern.flags.replace('g', '')));
  return {
    id: 'generic-secret-assignment', title: 'Secret assigned in code or configuration', severity: 'medium',
    keywords: ['password', 'passwd', 'pwd', 'secret', 'token', 'api_key', 'apikey', 'api-key', 'access_key', 'access-key', 'auth_key', 'auth-key', 'private_key', 'private-key', 'credential'],
    pattern: ASSIGNMENT,
    // The name holds the keyword with at most 40 characters before it; after the keyword come at most
    // 40 name characters, a quote, the operator, a quote and a 200-character value, and some spaces.
    reach: { before: 40, after: 320, sameLine: true },
    revocation: 'Rotate the secret at the system that issued it and move it to a secret store.',
    check(match, line) {
      const [, name = '', quote = '', value = ''] = match;
      if (NOT_A_SECRET_NAME.test(name) || isIntegrityLine(line)) return null;
      if (isHardNegative(value) || isHashLike(value) || /[[\]<>]|^\.\.\.|^urn:/.test(value)) return null;
      // Unquoted values in code (`key: someVariable,`) are references; in .env/YAML the line ends at the value.
      if (quote === '' && (CODE_VALUE.test(value) || /[,;{(]\s*$|=>/.test(line.trim()))) return null;
      // Paths, URLs, and values that are encrypted or point into a secret store (sops, Ansible Vault, ARNs, Key Vault refs).
      // Words: `client_secret_basic`, `db-password`, `RequestCredentials`, `SHOULD_BE_STRIPPED`; escapes; negations.
      if (value.split(/[-_./]/).every((w) => /^[A-Za-z]*$|^\d{1,4}$/.test(w)) || /\\[rnt]|^!/.test(value)) return null;
      if (/password|secret|token/i.test(value)) return null;
      if (/^(https?:|\/|\.\.?\/|~\/|ENC\[|!vault|\$ANSIBLE_VAULT|arn:|vault:|@Microsoft\.KeyVault|secretref:|sm:\/\/|projects\/[^/]+\/secrets\/)/i.test(value)) return null;
      // The whole assignment, so that rules keyed on the name (aws_secret_access_key=…) count too.
      if (others.some((re) => re.test(match[0]))) return null;
      if (/^(token|password)$/i.test(name) && /(current-context:|kind:[ \t]*Config)/.test(nearby(match))) return null;
      const entropy = shannonEntropy(value);
      const classes = charClasses(value);
      if (entropy < 3 || classes < 2) return null;
      const confidence: Confidence = entropy >= 3.5 && value.length >= 16 && classes >= 3 ? 'medium' : 'low';
      return { secret: value, confidence, details: { name, entropy: Math.round(entropy * 100) / 100 } };
    },
  };
}
