// Failed authentications per source address, in a fixed one-minute window. Past the limit the
// caller is answered 429 without verifying anything, and only the first refusal of the window is
// audited: a flood of bad tokens can neither burn CPU on signature checks nor fill the audit log,
// while every address that starts failing still leaves a record.

export interface FailureLimiter {
  /** True when this address is over the limit in the current window (the request is refused). */
  blocked(key: string, now: number): boolean;
  /** Counts one failure; returns 'first-block' exactly once per window, when the limit is crossed. */
  fail(key: string, now: number): 'counted' | 'first-block';
  /** Seconds until the current window of this key ends. */
  retryAfter(key: string, now: number): number;
}

const WINDOW_MS = 60_000;

export function failureLimiter(opts: { perMinute: number; maxKeys?: number }): FailureLimiter {
  const maxKeys = opts.maxKeys ?? 100_000;
  const windows = new Map<string, { start: number; failures: number }>();
  const current = (key: string, now: number) => {
    let w = windows.get(key);
    if (!w || now - w.start >= WINDOW_MS) {
      // Bounded memory: when full, start over (the limit resets for everyone, it never fails open for one).
      if (!w && windows.size >= maxKeys) windows.clear();
      w = { start: now, failures: 0 };
      windows.set(key, w);
    }
    return w;
  };
  return {
    blocked(key, now) {
      const w = windows.get(key);
      return w !== undefined && now - w.start < WINDOW_MS && w.failures > opts.perMinute;
    },
    fail(key, now) {
      const w = current(key, now);
      w.failures++;
      return w.failures === opts.perMinute + 1 ? 'first-block' : 'counted';
    },
    retryAfter(key, now) {
      const w = windows.get(key);
      return w ? Math.max(1, Math.ceil((w.start + WINDOW_MS - now) / 1000)) : 1;
    },
  };
}
