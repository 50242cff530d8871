// Measuring relay latency without flooding anyone: every caller shares one pool of probes (at most
// `concurrency` at once, launches paced to `launchesPerSecond`, which stays under the kill switch's
// rate limit), a relay being probed for one caller is not probed again for another (they share the
// answer), and answers, replies or not, are kept for `cacheMs`. A caller that goes away takes its
// queued probes with it; a probe nobody waits for any more is killed. The probe itself is behind
// `LatencyProber`, so tests use a fake.
import { CommandAbortedError, CommandError, type Runner } from '../net/exec.js';
import {
  parsePingOutput,
  pingArgv,
  pingErrorReason,
  type Measurement,
  type PingProbeOptions,
  type ProbeResult,
} from './latency.js';

export interface LatencyProber {
  /** One probe of `address`; rejects when `signal` aborts it (the result is then nobody's). */
  probe(address: string, signal: AbortSignal): Promise<ProbeResult>;
}

/** Probes with one `ping` through the Runner (Node has no ICMP sockets), marked to bypass the tunnel. */
export class PingProber implements LatencyProber {
  constructor(
    private readonly runner: Runner,
    private readonly options: PingProbeOptions,
  ) {}

  async probe(address: string, signal: AbortSignal): Promise<ProbeResult> {
    const { timeoutMs } = this.options;
    try {
      // Exit 1: no reply (the output says so); 2 and other failures land in the catch.
      const result = await this.runner.run(pingArgv(address, this.options), {
        okCodes: [1],
        timeoutMs: timeoutMs + 2_000,
        signal,
      });
      return parsePingOutput(result.stdout, timeoutMs);
    } catch (error) {
      if (error instanceof CommandAbortedError) throw error;
      if (error instanceof CommandError)
        return { reason: error.stderr.trim() ? pingErrorReason(error.stderr) : error.message };
      throw new Error(
        `could not run ping for ${address}: ${error instanceof Error ? error.message : String(error)}`,
        {
          cause: error,
        },
      );
    }
  }
}

export interface LatencyMeterOptions {
  prober: LatencyProber;
  /** Probes in flight at once. */
  concurrency?: number;
  /** How long an answer is kept (a reply or its absence). */
  cacheMs?: number;
  /** Probe launches per second, across every caller; 0: unpaced (tests). */
  launchesPerSecond?: number;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
}

export const LATENCY_CONCURRENCY = 8;
export const LATENCY_CACHE_MS = 60_000;
/** Half the kill switch's limit for marked echo requests (firewall-rules.ts), so no probe is dropped. */
export const LATENCY_LAUNCHES_PER_SECOND = 50;

type Deliver = (address: string, measurement: Measurement) => void;

/** One address to probe and who waits for it; `controller` kills the probe once nobody does. */
interface Job {
  address: string;
  waiters: Set<Deliver>;
  controller: AbortController;
}

export class LatencyMeter {
  private readonly cache = new Map<string, Measurement>();
  /** Jobs queued or running, by address: a second caller joins the job instead of probing again. */
  private readonly jobs = new Map<string, Job>();
  private readonly queue: Job[] = [];
  private running = 0;
  private launching = false;
  private nextLaunchAt = 0;
  private closed = false;
  private readonly closing = new AbortController();
  private readonly concurrency: number;
  private readonly cacheMs: number;
  private readonly launchGapMs: number;
  private readonly now: () => number;
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly options: LatencyMeterOptions) {
    this.concurrency = Math.max(1, options.concurrency ?? LATENCY_CONCURRENCY);
    this.cacheMs = options.cacheMs ?? LATENCY_CACHE_MS;
    const rate = options.launchesPerSecond ?? LATENCY_LAUNCHES_PER_SECOND;
    this.launchGapMs = rate > 0 ? 1000 / rate : 0;
    this.now = options.now ?? Date.now;
    this.sleep = options.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms)));
  }

  /** Probes in flight now (for tests and logs). */
  get inFlight(): number {
    return this.running;
  }

  /**
   * Measure each of `addresses`, calling `onResult` once per address as its answer is known (cached
   * ones at once). Resolves true when every address is answered; false as soon as `signal` aborts or
   * the meter closes (then no more results come, and probes only this caller wanted are not launched
   * or are killed).
   */
  measure(addresses: readonly string[], signal: AbortSignal, onResult: Deliver): Promise<boolean> {
    const stop = AbortSignal.any([signal, this.closing.signal]);
    if (stop.aborted) return Promise.resolve(false);
    this.forgetExpired();
    const pending = new Set<string>();
    for (const address of new Set(addresses)) {
      const cached = this.cache.get(address);
      if (cached) onResult(address, cached);
      else pending.add(address);
    }
    if (pending.size === 0) return Promise.resolve(true);
    return new Promise<boolean>((resolve) => {
      const deliver: Deliver = (address, measurement) => {
        if (!pending.delete(address)) return;
        onResult(address, measurement);
        if (pending.size === 0) finish(true);
      };
      const leave = (): void => {
        for (const address of pending) this.leave(address, deliver);
        finish(false);
      };
      const finish = (complete: boolean): void => {
        stop.removeEventListener('abort', leave);
        resolve(complete);
      };
      stop.addEventListener('abort', leave, { once: true });
      for (const address of pending) this.join(address, deliver);
      this.launch();
    });
  }

  /** Stop everything: queued probes are dropped, running ones killed, every caller's call resolves. */
  close(): void {
    this.closed = true;
    this.closing.abort();
  }

  private forgetExpired(): void {
    const oldest = this.now() - this.cacheMs;
    for (const [address, measurement] of this.cache) if (measurement.at <= oldest) this.cache.delete(address);
  }

  private join(address: string, deliver: Deliver): void {
    let job = this.jobs.get(address);
    if (!job) {
      job = { address, waiters: new Set(), controller: new AbortController() };
      this.jobs.set(address, job);
      this.queue.push(job);
    }
    job.waiters.add(deliver);
  }

  /** `deliver` no longer waits for `address`; a job nobody waits for is dropped or killed. */
  private leave(address: string, deliver: Deliver): void {
    const job = this.jobs.get(address);
    if (!job || !job.waiters.delete(deliver) || job.waiters.size > 0) return;
    this.jobs.delete(address);
    const queued = this.queue.indexOf(job);
    if (queued >= 0) this.queue.splice(queued, 1);
    else job.controller.abort();
  }

  /** Start queued jobs while there is room, one launch gap apart; one loop at a time. */
  private launch(): void {
    if (this.launching) return;
    this.launching = true;
    void this.launchLoop();
  }

  private async launchLoop(): Promise<void> {
    try {
      while (!this.closed && this.queue.length > 0 && this.running < this.concurrency) {
        const wait = this.nextLaunchAt - this.now();
        if (wait > 0) {
          // The queue may empty while waiting (callers left): it is checked again after.
          await this.sleep(wait);
          continue;
        }
        const job = this.queue.shift();
        if (!job) break;
        this.nextLaunchAt = this.now() + this.launchGapMs;
        this.start(job);
      }
    } finally {
      // In the same tick as the last check, so a probe that ends later always finds the loop idle.
      this.launching = false;
    }
  }

  private start(job: Job): void {
    this.running++;
    const signal = AbortSignal.any([job.controller.signal, this.closing.signal]);
    // A prober that throws synchronously is a failed probe like any other.
    Promise.resolve()
      .then(() => this.options.prober.probe(job.address, signal))
      .then(
        (result) => {
          if (signal.aborted) return;
          const measurement = { result, at: this.now() };
          this.cache.set(job.address, measurement);
          this.settle(job, measurement);
        },
        (error: unknown) => {
          if (signal.aborted) return;
          // Not kept: a failure to run the probe says nothing about the relay.
          const reason = `could not probe: ${error instanceof Error ? error.message : String(error)}`;
          this.settle(job, { result: { reason }, at: this.now() });
        },
      )
      .finally(() => {
        this.running--;
        this.launch();
      });
  }

  private settle(job: Job, measurement: Measurement): void {
    if (this.jobs.get(job.address) === job) this.jobs.delete(job.address);
    for (const deliver of [...job.waiters]) deliver(job.address, measurement);
  }
}
