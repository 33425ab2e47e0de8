// The CA capability's public surface: keys at rest, JWT signing, and the JWS verification
// primitives every verifier in Tessera shares.
export type { KeyPurpose, KeyStatus, StoredKey, KeyRepo } from './key-repo.ts';
export { loadKek, decodeKek, KEK_ENV, KEK_FILE, type Kek } from './load-kek.ts';
export { encryptPrivateKey } from './encrypt-private-key.ts';
export { decryptPrivateKey, KEK_MISMATCH } from './decrypt-private-key.ts';
export { ensureSigningKeys, type ActiveKey, type PublishedKey, type SigningKeys } from './ensure-signing-keys.ts';
export { createJwtSigner, type JwtSigner } from './jwt-signer.ts';
export { jwkThumbprint } from './jwk-thumbprint.ts';
export { verifySignature, type JwsAlg } from './verify-signature.ts';
export { verifierKeyFromJwk, type VerifierKey } from './verifier-key.ts';
export { decodeJws, MAX_JWS_LENGTH, type DecodedJws } from './decode-jws.ts';
export { verifyJws, type VerifyJwsResult } from './verify-jws.ts';
export { b64u, b64uDecode } from './base64url.ts';
export { ensurePrivateDir } from './ensure-private-dir.ts';
export { writeSecretFile } from './write-secret-file.ts';
