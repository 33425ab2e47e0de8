// The CA capability's public surface: keys at rest, JWT signing, and the JWS verification
// primitives every verifier in Tessera shares.
export type { KeyPurpose, KeyStatus, StoredKey, KeyRepo } from './key-repo.ts';
export { loadKek, decodeKek, KEK_ENV, KEK_FILE, type Kek } from './load-kek.ts';
export { encryptPrivateKey } from './encrypt-private-key.ts';
export { decryptPrivateKey, KEK_MISMATCH } from './decrypt-private-key.ts';
export type { CaRuntime, JwtAlg, JwtSigningKey, PublishedJwtKey, X509Issuer } from './ca-runtime.ts';
export { startCa, policyOf, RELOAD_INTERVAL_MS, type StartCaDeps, type StartedCa, type CaConfig } from './start-ca.ts';
export { isPublished, keyTimes, publishUntilFor, refreshHintSeconds, RETIRE_GRACE_MS, CONFIG_CHANGE_LEAD_MS, type KeyPolicy } from './key-schedule.ts';
export { KEY_ACTIONS } from './key-ops.ts';
export { createJwtSigner, signerFor, jwtAlgOf, type JwtSigner } from './jwt-signer.ts';
export { jwkThumbprint } from './jwk-thumbprint.ts';
export { verifySignature, isSupportedJwsAlg, SUPPORTED_JWS_ALGS, type JwsAlg, type SupportedJwsAlg } from './verify-signature.ts';
export { verifierKeyFromJwk, RSA_MIN_BITS, type VerifierKey, type VerifierKeyOptions } from './verifier-key.ts';
export { decodeJws, MAX_JWS_LENGTH, type DecodedJws, type DecodeJwsOptions } from './decode-jws.ts';
export { verifyJws, MAX_KID_LENGTH, type VerifyJwsResult, type PinnedKey } from './verify-jws.ts';
export { externalVerifierKeyFromJwk, type ExternalVerifierKey, type ExternalKeyOptions } from './external-verifier-key.ts';
export { importJwkSet, selectKey, type ImportedJwkSet } from './import-jwk-set.ts';
export { verifyJwsWithJwk, verifyJwsWithJwks } from './verify-jws-with-jwk.ts';
export { hasRocaFingerprint } from './rsa-roca.ts';
export { b64u, b64uDecode } from './base64url.ts';
export { ensurePrivateDir } from './ensure-private-dir.ts';
export { writeSecretFile } from './write-secret-file.ts';
export { verifyDecodedJws } from './verify-jws.ts';
export { signJwtSvid, randomJti, type JwtSvidClaims, type JwtSvidToSign } from './sign-jwt-svid.ts';
export { mintJwtSvid, checkAudience, JWT_SVID_ACTION, AUDIENCE_MAX, AUDIENCE_VALUE_MAX, type JwtSvidDeps, type JwtSvidInput, type MintedJwtSvid } from './mint-jwt-svid.ts';
export { verifyJwtSvid, type JwtSvidVerifyOptions, type VerifiedJwtSvid, type VerifyJwtSvidResult } from './verify-jwt-svid.ts';
export { describeCa, type CaStatus, type CaKeyStatus } from './describe-ca.ts';
