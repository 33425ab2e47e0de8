// The `tsk_` static-key format, in one place so that generator, parser, docs and scanners agree.
// See docs/static-keys.md.

export const STATIC_KEY_PREFIX = 'tsk_';
/** 30 base62 characters ≈ 178.6 bits of randomness. */
export const STATIC_KEY_RANDOM_LENGTH = 30;
export const STATIC_KEY_CHECKSUM_LENGTH = 6;
export const STATIC_KEY_LENGTH = STATIC_KEY_PREFIX.length + STATIC_KEY_RANDOM_LENGTH + STATIC_KEY_CHECKSUM_LENGTH;
/** What a scanner searches for (then confirms the checksum with parseStaticKey). */
export const STATIC_KEY_PATTERN = /\btsk_[0-9A-Za-z]{36}\b/;
