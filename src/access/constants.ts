/** The principal the server registers for the key in <dataDir>/admin.key. */
export const ADMIN_PRINCIPAL_ID = 'admin';
export const ADMIN_KEY_FILE = 'admin.key';

/** RFC 7523 §2.1. */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** RFC 9068 §2.1 media type of JWT access tokens. */
export const ACCESS_TOKEN_TYP = 'at+jwt';

/** Tolerated clock difference for iat and nbf, seconds. */
export const CLOCK_SKEW_SECONDS = 60;
/** An assertion is single-use proof of key possession: it may live at most this long. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Access tokens never outlive this, whatever the caller asks. */
export const MAX_ACCESS_TOKEN_TTL_SECONDS = 600;

/** Principal ids: lowercase names, or SPIFFE-ID-like paths. */
export const PRINCIPAL_ID_PATTERN = /^[a-z0-9._:/-]{1,128}$/;
