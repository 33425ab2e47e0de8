// What the CA runtime builds from the stored keys: the signing keys unwrapped, the published
// public keys imported. Unwrapped and imported once per key: the runtime re-reads the keys every
// few seconds and must not decrypt every time.
import { createPublicKey, X509Certificate, type KeyObject } from 'node:crypto';
import type { JwtAlg, JwtSigningKey, PublishedJwtKey, X509Issuer } from './ca-runtime.ts';
import { decryptPrivateKey } from './decrypt-private-key.ts';
import type { StoredKey } from './key-repo.ts';
import { isPublished } from './key-schedule.ts';

export interface JwtEntry { key: PublishedJwtKey; publishUntil: number | undefined }
export interface X509Entry { anchorDer: Buffer; anchorNotAfter: number; publishUntil: number | undefined; notAfter: number | undefined }

export interface KeyView {
  signer: JwtSigningKey;
  issuer: X509Issuer;
  /** Keys published when the view was built; the runtime drops those whose publishUntil passes. */
  jwt: JwtEntry[];
  x509: X509Entry[];
}

/** The trust anchor above a CA key: the last certificate of its chain, or itself when self-signed. */
export const anchorOf = (k: StoredKey): Buffer | undefined => (k.chainDer && k.chainDer.length > 0 ? k.chainDer.at(-1) : k.certDer);

export interface KeyViewBuilder {
  /**
   * The view of `keys`, or undefined until both purposes have an active key. The signer and
   * issuer objects of `previous` are kept while their kid is unchanged (consumers cache by them).
   * Throws ERR_KEK when an active key does not decrypt.
   */
  build(keys: readonly StoredKey[], now: number, previous: KeyView | undefined): KeyView | undefined;
}

export function keyViewBuilder(kek: Buffer): KeyViewBuilder {
  const privateKeys = new Map<string, KeyObject>();
  const publicKeys = new Map<string, KeyObject>();
  const anchorExpiry = new Map<string, number>();

  const privateOf = (k: StoredKey): KeyObject => {
    let p = privateKeys.get(k.kid);
    if (!p) {
      p = decryptPrivateKey(kek, k.kid, k.privateKeyEnc);
      privateKeys.set(k.kid, p);
    }
    return p;
  };
  const publicOf = (k: StoredKey): KeyObject => {
    let p = publicKeys.get(k.kid);
    if (!p) {
      p = createPublicKey({ key: k.publicJwk, format: 'jwk' });
      publicKeys.set(k.kid, p);
    }
    return p;
  };
  const anchorNotAfter = (der: Buffer): number => {
    const id = der.toString('base64');
    let t = anchorExpiry.get(id);
    if (t === undefined) {
      t = Date.parse(new X509Certificate(der).validTo);
      anchorExpiry.set(id, t);
    }
    return t;
  };

  return {
    build(keys, now, previous) {
      const activeJwt = keys.find((k) => k.purpose === 'jwt' && k.status === 'active');
      const activeCa = keys.find((k) => k.purpose === 'x509-ca' && k.status === 'active');
      // Unwrapping the active keys proves the KEK before anything is written.
      const jwtPrivate = activeJwt ? privateOf(activeJwt) : undefined;
      const caPrivate = activeCa?.certDer ? privateOf(activeCa) : undefined;
      // Keys retired or gone are not kept unwrapped.
      for (const kid of privateKeys.keys()) {
        if (!keys.some((k) => k.kid === kid && k.status !== 'retired')) privateKeys.delete(kid);
      }
      if (!activeJwt || !activeCa?.certDer || !jwtPrivate || !caPrivate) return undefined;
      const signer: JwtSigningKey = previous && previous.signer.kid === activeJwt.kid
        ? previous.signer : { kid: activeJwt.kid, alg: activeJwt.alg as JwtAlg, privateKey: jwtPrivate };
      const issuer: X509Issuer = previous && previous.issuer.kid === activeCa.kid ? previous.issuer : {
        kid: activeCa.kid, privateKey: caPrivate, certDer: activeCa.certDer,
        chainDer: (activeCa.chainDer ?? []).slice(0, -1), notAfter: activeCa.notAfter ?? Number.POSITIVE_INFINITY,
      };
      const live = keys.filter((k) => isPublished(k, now));
      return {
        signer,
        issuer,
        jwt: live.filter((k) => k.purpose === 'jwt').map((k) => ({
          key: { kid: k.kid, alg: k.alg as JwtAlg, status: k.status, publicKey: publicOf(k), publicJwk: { ...k.publicJwk } },
          publishUntil: k.status === 'retired' ? k.publishUntil : undefined,
        })),
        x509: live.filter((k) => k.purpose === 'x509-ca' && k.certDer).map((k) => {
          const anchorDer = anchorOf(k)!;
          return { anchorDer, anchorNotAfter: anchorNotAfter(anchorDer), notAfter: k.notAfter, publishUntil: k.status === 'retired' ? k.publishUntil : undefined };
        }),
      };
    },
  };
}
