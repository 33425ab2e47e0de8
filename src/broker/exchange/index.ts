// RFC 8693 token exchange at POST /oauth2/token.
export {
  TOKEN_EXCHANGE_GRANT, TOKEN_TYPE_JWT, TOKEN_TYPE_ID_TOKEN, TOKEN_TYPE_ACCESS_TOKEN, TOKEN_TYPE_JOIN_TOKEN,
  SUBJECT_TOKEN_TYPES, REQUESTED_TOKEN_TYPES, EXCHANGE_ACTION,
} from './constants.ts';
export type { ExchangeDeps, ExchangeForm, ExchangeResponse, ExternalTrust, VerifiedExternalToken, BindingMatch, SenderConstraint, TokenBinding } from './types.ts';
export { parseExchangeRequest, type ExchangeRequest } from './parse-exchange-request.ts';
export { exchangeToken, auditExchangeRefusal } from './exchange-token.ts';
export { createElevationCache, ELEVATION_CACHE_TTL_MS, type ElevationCache } from './elevation-cache.ts';
