import { pino, type Logger, type DestinationStream } from 'pino';
import type { LogLevel } from '../config/schema.ts';

// Anything that could carry a credential is censored before it reaches a log line.
export const REDACT_PATHS = [
  'req.headers.authorization', 'req.headers.cookie', 'req.headers["dpop"]', 'headers.authorization',
  'authorization', 'password', 'secret', 'token', 'accessToken', 'access_token', 'assertion',
  'subject_token', 'actor_token', 'client_secret', 'privateKey', 'private_key', 'kek',
  // any object holding request headers, e.g. an outgoing call logged as { upstream: { headers } }
  '*.authorization', '*.headers.authorization', '*.headers.cookie',
  '*.password', '*.secret', '*.token', '*.accessToken', '*.access_token', '*.assertion',
  '*.subject_token', '*.actor_token', '*.client_secret', '*.privateKey', '*.private_key', '*.kek',
];

export function createLogger(level: LogLevel, destination?: DestinationStream): Logger {
  return pino({ level, redact: { paths: REDACT_PATHS, censor: '[redacted]' }, base: { service: 'tessera' } }, destination);
}
