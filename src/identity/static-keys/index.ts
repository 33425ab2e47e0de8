// Static API keys (`tsk_`): the exception for legacy systems that cannot use short-lived
// credentials yet. Revocation lives in src/revocation (a key is revoked like any credential).
export type { StaticKey, StaticKeyStatus } from './types.ts';
export type { StaticKeyRepo } from './static-key-repo.ts';
export { STATIC_KEY_PREFIX, STATIC_KEY_LENGTH, STATIC_KEY_PATTERN, STATIC_KEY_RANDOM_LENGTH, STATIC_KEY_CHECKSUM_LENGTH } from './format.ts';
export { BASE62_ALPHABET, base62Crc32 } from './base62.ts';
export { generateStaticKey } from './generate-static-key.ts';
export { parseStaticKey, type ParsedStaticKey } from './parse-static-key.ts';
export { hashStaticKey } from './hash-static-key.ts';
export { createStaticKey, type StaticKeyDeps, type CreateStaticKeyInput, type CreatedStaticKey } from './create-static-key.ts';
export { listStaticKeys, STATIC_KEY_LIST_MAX } from './list-static-keys.ts';
export { findStaticKey, type FoundStaticKey } from './find-static-key.ts';
export { STATIC_KEY_MAX_LIFETIME_MS, staticKeyStatus, staticKeyUnusableReason, checkKeyExpiry, checkKeyAllowed } from './static-key-rules.ts';
