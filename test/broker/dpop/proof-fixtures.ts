import { createHmac, generateKeyPairSync, randomUUID, sign, type KeyObject } from 'node:crypto';
import { systemClock, type Clock } from '../../../src/shared/clock.ts';
import { createDpopRuntime, type DpopOptions } from '../../../src/broker/dpop/index.ts';

const b64 = (v: unknown) => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64url');

export const HTU = 'https://tessera.example/oauth2/token';

/** A proof built by hand, for the malformed and hostile cases the dpop package cannot produce. */
export function handProof(opts: {
  header?: Record<string, unknown>; claims?: Record<string, unknown>;
  key?: KeyObject; hmacSecret?: Buffer; signature?: string;
} = {}): string {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const jwk = publicKey.export({ format: 'jwk' });
  const header = { typ: 'dpop+jwt', alg: 'ES256', jwk, ...opts.header };
  const claims = { jti: randomUUID(), htm: 'POST', htu: HTU, iat: Math.floor(Date.now() / 1000), ...opts.claims };
  const input = `${b64(header)}.${b64(claims)}`;
  let sig: string;
  if (opts.signature !== undefined) sig = opts.signature;
  else if (opts.hmacSecret) sig = createHmac('sha256', opts.hmacSecret).update(input).digest('base64url');
  else sig = sign('sha256', Buffer.from(input), { key: opts.key ?? privateKey, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  return `${input}.${sig}`;
}

export function runtime(clock: Clock = systemClock, options: Partial<DpopOptions> = {}) {
  return createDpopRuntime(clock, options);
}
