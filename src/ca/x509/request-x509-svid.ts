// The X509-SVID request operation: a registered, enabled identity plus a CSR in, a certificate
// chain out. The registry decides the SPIFFE ID and the lifetime; the CSR contributes only its
// (checked) public key. Every issuance and every refusal is an audit event, and a certificate is
// only handed out once its audit event is durable.
import { auditRefusal } from '../../audit/index.ts';
import type { Clock } from '../../shared/clock.ts';
import type { RequestContext } from '../../shared/context.ts';
import { parseDuration } from '../../shared/duration.ts';
import { invalid } from '../../shared/errors.ts';
import type { UnitOfWork } from '../../shared/tx.ts';
import { effectiveTtl, findIdentityToIssue, requireEnabled, IDENTITY_REF_MAX, type Identity, type IdentityRepo } from '../../identity/index.ts';
import type { CaRuntime } from '../ca-runtime.ts';
import { issueX509Svid } from './issue-x509-svid.ts';
import { parseCsr, type CsrKeyType } from './parse-csr.ts';
import { parseDnsNames } from './dns-names.ts';

export const X509_SVID_ACTION = 'svid.x509.issue';

export interface X509SvidDeps {
  store: { identities: Pick<IdentityRepo, 'get' | 'getBySpiffeId'>; write: UnitOfWork['write'] };
  clock: Clock;
  ca: Pick<CaRuntime, 'x509Issuer' | 'x509Authorities'>;
  /** The server's policy maximum for any SVID (config svidMaxTtl), seconds. */
  svidMaxTtl: number;
}

export interface X509SvidInput {
  /** An identity id or its SPIFFE ID. */
  identity?: unknown;
  /** PKCS#10 request, PEM. */
  csr?: unknown;
  /** Requested lifetime ("15m" or seconds); defaults to the largest allowed. */
  ttl?: unknown;
  /** DNS names for the SAN next to the SPIFFE ID (a serving certificate checked by host name). */
  dnsNames?: unknown;
}

export interface X509SvidResult {
  spiffeId: string;
  identityId: string;
  certDer: Buffer;
  chainDer: Buffer[];
  /** The trust bundle's X.509 authorities (roots). */
  bundleDer: Buffer[];
  serialHex: string;
  notBefore: number;
  notAfter: number;
  keyType: CsrKeyType;
  /** The lifetime granted (requested, capped by the identity's and the server's maximum), seconds. */
  ttlSeconds: number;
  /** The DNS names in the SAN (empty for a plain SVID). */
  dnsNames: string[];
}



function issue(deps: X509SvidDeps, identity: Identity, input: X509SvidInput): Omit<X509SvidResult, 'bundleDer'> {
  requireEnabled(identity);
  const requested = input.ttl === undefined || input.ttl === null ? undefined : parseDuration(input.ttl, 'ttl');
  const ttl = effectiveTtl({ requested, identityMax: identity.maxTtlSeconds, policyMax: deps.svidMaxTtl, field: 'ttl' });
  const dnsNames = parseDnsNames(input.dnsNames, 'dnsNames');
  if (input.csr === undefined || input.csr === null || input.csr === '') throw invalid('csr', 'is required: a PEM PKCS#10 certificate request');
  const csr = parseCsr(input.csr, 'csr');
  const svid = issueX509Svid(deps.ca.x509Issuer(), identity.spiffeId, csr, ttl, deps.clock.now(), { dnsNames });
  return { spiffeId: identity.spiffeId, identityId: identity.id, ...svid, keyType: csr.keyType, ttlSeconds: ttl, dnsNames };
}

/** Issues an X509-SVID for a registered identity; refusals are audited and rethrown. */
export async function requestX509Svid(deps: X509SvidDeps, ctx: RequestContext, input: X509SvidInput): Promise<X509SvidResult> {
  let target = typeof input.identity === 'string' ? input.identity.slice(0, IDENTITY_REF_MAX) : undefined;
  const svid = await auditRefusal(deps.store, ctx, X509_SVID_ACTION, () => target, async () => {
    const identity = await findIdentityToIssue(deps.store.identities, input.identity);
    target = identity.spiffeId;
    return issue(deps, identity, input);
  });
  await deps.store.write(async (tx) => {
    tx.audit(ctx, {
      action: X509_SVID_ACTION, outcome: 'success', target: svid.spiffeId,
      details: {
        identityId: svid.identityId, spiffeId: svid.spiffeId, serial: svid.serialHex, keyType: svid.keyType,
        notBefore: new Date(svid.notBefore).toISOString(), notAfter: new Date(svid.notAfter).toISOString(),
        ttl: svid.ttlSeconds, ...(svid.dnsNames.length > 0 ? { dnsNames: svid.dnsNames } : {}),
      },
    });
  });
  return { ...svid, bundleDer: deps.ca.x509Authorities().map((a) => a.certDer) };
}

