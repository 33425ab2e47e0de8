// Time comes from a Clock so that tests can move it; production uses the system clock.
export interface Clock {
  now(): number; // epoch milliseconds
}
export const systemClock: Clock = { now: () => Date.now() };

export function fixedClock(start: number): Clock & { advance(ms: number): void } {
  let t = start;
  return { now: () => t, advance(ms: number) { t += ms; } };
}
