// Waiting on a condition with a deadline (never a bare sleep).
import { setTimeout as delay } from 'node:timers/promises';

export interface WaitOptions {
  timeoutMs?: number;
  /** Pause between checks. */
  intervalMs?: number;
  /** What is awaited, for the timeout message. */
  what: string;
}

export class WaitTimeoutError extends Error {
  override name = 'WaitTimeoutError';
}

/**
 * Check `condition` until it returns something other than undefined/false, or throw after the deadline.
 * A check that throws is retried; its last error is part of the timeout message.
 */
export async function waitFor<T>(
  condition: () => T | undefined | false | Promise<T | undefined | false>,
  options: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + (options.timeoutMs ?? 10_000);
  const interval = options.intervalMs ?? 20;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== false) return value;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() >= deadline) {
      const detail = lastError instanceof Error ? `: ${lastError.message}` : '';
      throw new WaitTimeoutError(`timed out waiting for ${options.what}${detail}`, { cause: lastError });
    }
    await delay(interval);
  }
}
