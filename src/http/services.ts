import type { Logger } from 'pino';
import type { Config } from '../config/schema.ts';
import type { Clock } from '../shared/clock.ts';
import type { Store } from '../store/index.ts';
import type { AccessRuntime } from '../access/index.ts';
import type { CaRuntime } from '../ca/index.ts';
import type { ServerMetrics } from '../main/metrics.ts';
import type { DenyList } from '../revocation/index.ts';
import type { TrustRuntime } from '../broker/trust/index.ts';
import type { DpopRuntime } from '../broker/dpop/index.ts';
import type { PolicyRuntime } from '../policy/policy-runtime.ts';
import type { ExceptionRuntime } from '../policy/exceptions/index.ts';
import type { FailureLimiter } from '../access/failure-limiter.ts';

/** Everything route plugins may use; built once in src/main. */
export interface Services {
  config: Config;
  clock: Clock;
  store: Store;
  logger: Logger;
  /** Public base URL; the `iss` of tokens this server signs. */
  issuer: string;
  access: AccessRuntime;
  /** The CA: JWT and X.509 signing keys of the moment, and every key relying parties may see. */
  ca: CaRuntime;
  metrics: ServerMetrics;
  /** Revoked tokens, identities and static keys, checked in memory. */
  revocations: DenyList;
  /** DPoP (RFC 9449): the proof replay cache and the nonce source. */
  dpop: DpopRuntime;
  /** Trust sources: external issuers' keys (cached), verification, compiled CEL bindings. */
  trust: TrustRuntime;
  /** Policy exceptions: the live list decide() is given (reloaded on change and every few seconds). */
  exceptions: ExceptionRuntime;
  /** The live policy set (built-in + policy directory + stored), hot-reloaded. */
  policies: PolicyRuntime;
  /** Failed authentications per source address (config authFailuresPerMinute). */
  authFailures: FailureLimiter;
}
