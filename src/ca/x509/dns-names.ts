// DNS names an X509-SVID may carry next to its one SPIFFE URI SAN (the SPIFFE X509-SVID
// standard allows DNS SANs), e.g. a webhook's Service name that a caller checks as a hostname.
// Checked strictly: a name in a certificate is a claim every relying party will honour, so only
// plain, canonical host names get in — no wildcards, no IP addresses, no upper case.
import { TesseraError, invalid } from '../../shared/errors.ts';

export const DNS_NAMES_MAX = 10;
export const DNS_NAME_MAX_LENGTH = 253;

// RFC 1035 §2.3.1 as relaxed by RFC 1123 §2.1 (a label may start with a digit): 1–63 of a-z,
// 0-9 and '-', neither starting nor ending with '-'. Lower case only, the canonical form.
const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/** One DNS name, or the rule it breaks. */
function ruleBroken(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > DNS_NAME_MAX_LENGTH) return `must be at most ${DNS_NAME_MAX_LENGTH} characters`;
  if (name.includes('*')) return 'must not be a wildcard';
  if (name !== name.toLowerCase()) return 'must be lower case';
  if (name.endsWith('.')) return 'must not end with a dot';
  const labels = name.split('.');
  for (const label of labels) {
    if (label.length === 0) return 'must not have an empty label';
    if (label.length > 63) return 'labels must be at most 63 characters';
    if (!LABEL.test(label)) return 'labels must be letters, digits and inner hyphens (RFC 1123)';
  }
  // An all-numeric last label would make 10.0.0.1 a "host name" (RFC 3696 §2): IP addresses are
  // a different kind of SAN, not issued here.
  if (/^[0-9]+$/.test(labels[labels.length - 1]!)) return 'must not be an IP address or end in an all-numeric label';
  return undefined;
}

/**
 * The dnsNames input checked: undefined/null → []; otherwise an array of at most 10 distinct,
 * valid DNS names, kept in the order given. Anything else is ERR_INVALID_INPUT naming the field.
 */
export function parseDnsNames(value: unknown, field = 'dnsNames'): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw invalid(field, 'must be an array of DNS names');
  if (value.length > DNS_NAMES_MAX) throw invalid(field, `must have at most ${DNS_NAMES_MAX} names`);
  const seen = new Set<string>();
  for (const [i, name] of value.entries()) {
    if (typeof name !== 'string') throw invalid(field, `[${i}] must be a string`);
    const broken = ruleBroken(name);
    if (broken) throw refused(field, name, broken);
    if (seen.has(name)) throw refused(field, name, 'must not be listed twice');
    seen.add(name);
  }
  return [...value] as string[];
}

/** The message names the offending name; the rule stays the bare rule. */
function refused(field: string, name: string, rule: string): TesseraError {
  return new TesseraError('ERR_INVALID_INPUT', `${field}: ${JSON.stringify(name.slice(0, 300))} ${rule}`, { field, rule });
}
