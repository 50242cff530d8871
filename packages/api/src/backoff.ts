// Reconnect delays: exponential with full jitter, capped, so many clients of a restarted helper do not
// reconnect in lockstep.
export interface BackoffOptions {
  initialMs: number;
  maxMs: number;
  factor: number;
}

export const DEFAULT_BACKOFF: BackoffOptions = { initialMs: 200, maxMs: 10_000, factor: 2 };

/** Upper bound of the delay before retry number `attempt` (0-based). */
export function backoffCeiling(attempt: number, options: BackoffOptions = DEFAULT_BACKOFF): number {
  const exponent = Math.min(Math.max(attempt, 0), 30);
  return Math.min(options.maxMs, options.initialMs * options.factor ** exponent);
}

/** The delay before retry number `attempt`: uniform in [ceiling/2, ceiling]. */
export function backoffDelay(
  attempt: number,
  random: () => number = Math.random,
  options: BackoffOptions = DEFAULT_BACKOFF,
): number {
  const ceiling = backoffCeiling(attempt, options);
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
