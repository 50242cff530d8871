// Waiting for something outside the helper (a socket, a device) with a deadline, by polling: the
// things waited for offer no notification the helper can subscribe to.

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * Call `check` until it returns something other than undefined, then return that. Throws a
 * DeadlineError naming `what` when `timeoutMs` passes first; errors from `check` propagate at once.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs: number,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline)
      throw new DeadlineError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
