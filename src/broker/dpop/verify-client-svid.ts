import { X509Certificate } from 'node:crypto';
import { parseSpiffeId } from '../../shared/spiffe-id.ts';
import { x5tS256 } from './x5t-s256.ts';

export interface ClientSvidDeps {
  clock: { now(): number };
  ca: { readonly trustDomain: string; x509Authorities(): readonly { certDer: Buffer }[] };
}

export type ClientSvidResult =
  | { ok: true; spiffeId: string; x5tS256: string }
  | { ok: false; reason: string };

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';
const MAX_CHAIN = 5;

const validAt = (c: X509Certificate, now: number) => Date.parse(c.validFrom) <= now && now < Date.parse(c.validTo);

/**
 * Checks a TLS client certificate chain (leaf first) as an X509-SVID of this trust domain
 * (RFC 8705 §2 with the SPIFFE X509-SVID rules): the leaf is not a CA, may be used for client
 * authentication, is valid now, carries exactly one URI SAN which is a SPIFFE ID of our trust
 * domain, and chains (through CA intermediates the client sent) to one of our X.509 authorities.
 * The TLS handshake has already proved possession of the leaf's key.
 */
export function verifyClientSvid(deps: ClientSvidDeps, chainDer: readonly Buffer[]): ClientSvidResult {
  if (chainDer.length === 0) return { ok: false, reason: 'no client certificate' };
  if (chainDer.length > MAX_CHAIN) return { ok: false, reason: 'client certificate chain is too long' };
  let chain: X509Certificate[];
  try { chain = chainDer.map((d) => new X509Certificate(d)); } catch { return { ok: false, reason: 'client certificate is not a valid X.509 certificate' }; }
  const leaf = chain[0]!;
  const now = deps.clock.now();
  if (leaf.ca) return { ok: false, reason: 'client certificate is a CA certificate, not an X509-SVID' };
  if (!validAt(leaf, now)) return { ok: false, reason: 'client certificate is expired or not yet valid' };
  if (leaf.keyUsage !== undefined && !leaf.keyUsage.includes(CLIENT_AUTH)) return { ok: false, reason: 'client certificate is not for client authentication' };

  const uris = (leaf.subjectAltName ?? '').split(', ').filter((n) => n.startsWith('URI:')).map((n) => n.slice(4));
  if (uris.length !== 1) return { ok: false, reason: 'an X509-SVID has exactly one URI SAN' };
  let spiffeId: string;
  try {
    const id = parseSpiffeId(uris[0]);
    if (id.trustDomain !== deps.ca.trustDomain) return { ok: false, reason: 'client certificate is for another trust domain' };
    spiffeId = id.id;
  } catch {
    return { ok: false, reason: 'client certificate URI SAN is not a SPIFFE ID' };
  }

  const roots = deps.ca.x509Authorities().map((a) => new X509Certificate(a.certDer));
  let current = leaf;
  const intermediates = chain.slice(1);
  for (let depth = 0; depth <= MAX_CHAIN; depth++) {
    const root = roots.find((r) => current.checkIssued(r) && current.verify(r.publicKey));
    if (root) {
      if (!validAt(root, now)) return { ok: false, reason: 'the X.509 authority of the client certificate has expired' };
      return { ok: true, spiffeId, x5tS256: x5tS256(chainDer[0]!) };
    }
    const next = intermediates.find((c) => c !== current && c.ca && current.checkIssued(c) && current.verify(c.publicKey));
    if (!next || !validAt(next, now)) break;
    current = next;
  }
  return { ok: false, reason: 'client certificate does not chain to this trust domain\'s X.509 authorities' };
}
