// The one place the tunnel's system changes run: one job at a time, in the order they were asked for.
// It cannot deadlock because of two rules its users keep: a job never waits for the queue (or for a
// later job), and every job ends (system calls have timeouts; long waits take an AbortSignal).
import type { Logger } from 'pino';

export class SerialQueue {
  private tail: Promise<void> = Promise.resolve();
  private pending = 0;

  constructor(private readonly log: Logger) {}

  /** Queue `job`; the returned promise settles when it has run (it never rejects). */
  run(name: string, job: () => Promise<void>): Promise<void> {
    this.pending++;
    const done = this.tail
      .then(job)
      .catch((error: unknown) => this.log.error({ err: error, job: name }, 'tunnel job failed'))
      .finally(() => this.pending--);
    this.tail = done;
    return done;
  }

  get idle(): boolean {
    return this.pending === 0;
  }

  /** Resolves once every job queued so far, and any they queued in turn, has run. */
  async drained(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }
}
