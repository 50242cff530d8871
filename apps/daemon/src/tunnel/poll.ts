// Waiting for something outside the helper (a socket, a device) with a deadline, by polling: the
// things waited for offer no notification the helper can subscribe to.

export class DeadlineError extends Error {
  override readonly name = 'DeadlineError';
}

/**
 * Call `check` until it returns something other than undefined, then return that. Throws a
 * DeadlineError naming `what` when `timeoutMs` passes first; errors from `check` propagate at once.
 * The wait between checks starts at 1 ms and doubles up to `intervalMs`: what is waited for is often
 * ready within a few milliseconds (wireguard-go's socket: ~5 ms), and a connect should not pay a
 * whole interval for it.
 */
export async function pollUntil<T>(
  check: () => Promise<T | undefined> | T | undefined,
  what: string,
  timeoutMs: number,
  intervalMs = 25,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (let wait = 1; ; wait = Math.min(intervalMs, wait * 2)) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() >= deadline)
      throw new DeadlineError(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, wait));
  }
}
