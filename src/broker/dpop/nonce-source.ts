import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Clock } from '../../shared/clock.ts';
import type { NonceSource } from './types.ts';

/**
 * Nonces are `<window>.<MAC(window)>` under a secret made at start-up: nothing is stored, a nonce
 * is valid for its own time window and the next, and a restart (new secret) simply makes clients
 * fetch a fresh one through the use_dpop_nonce error. Several servers behind one address each
 * accept only their own nonces; a client then retries once more.
 */
export function createNonceSource(clock: Clock, windowSeconds: number, secret: Buffer = randomBytes(32)): NonceSource {
  const windowOf = () => Math.floor(clock.now() / 1000 / windowSeconds);
  const mac = (w: number) => createHmac('sha256', secret).update(`dpop-nonce:${w}`).digest().subarray(0, 18);
  const make = (w: number) => `${w.toString(36)}.${mac(w).toString('base64url')}`;
  let cached = { w: -1, nonce: '' };
  return {
    current() {
      const w = windowOf();
      if (cached.w !== w) cached = { w, nonce: make(w) };
      return cached.nonce;
    },
    isValid(nonce) {
      if (nonce.length > 64) return false;
      const m = /^([0-9a-z]{1,12})\.([A-Za-z0-9_-]{24})$/.exec(nonce);
      if (!m) return false;
      const w = parseInt(m[1]!, 36);
      const now = windowOf();
      if (w !== now && w !== now - 1) return false;
      return timingSafeEqual(Buffer.from(m[2]!, 'base64url'), mac(w));
    },
  };
}
