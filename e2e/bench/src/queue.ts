// A queue of things that arrive on their own (stream events, lines of a child's output) that the bench
// takes in order, each with a deadline.

export class QueueTimeoutError extends Error {
  override name = 'QueueTimeoutError';
}

export class AsyncQueue<T> {
  private readonly items: T[] = [];
  private wake: (() => void) | undefined;
  private endReason: Error | undefined;

  push(item: T): void {
    this.items.push(item);
    this.wake?.();
  }

  /** No more items will come; waiting takers fail with `reason`. */
  end(reason: Error): void {
    this.endReason ??= reason;
    this.wake?.();
  }

  /** The next item; throws when the queue ended or after `timeoutMs` (naming `what`). */
  async shift(timeoutMs: number, what: string): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      if (this.items.length > 0) return this.items.shift() as T;
      if (this.endReason !== undefined) throw this.endReason;
      const left = deadline - Date.now();
      if (left <= 0) throw new QueueTimeoutError(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
      this.wake = undefined;
    }
  }
}
