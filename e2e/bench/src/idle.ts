// No false reconnects on an idle, healthy tunnel: Sluice connected, the bench sends nothing through it,
// and the event stream is watched for `--idle-seconds`. Every tunnel state that is not `connected` counts,
// as does a `connected` via another relay (a reconnect that went unannounced) and every notice of kind
// KIND_UNEXPECTED_DISCONNECT. Also sluiced's RSS at the start and end of the window and the CPU time it
// used during it. Progress on stderr every minute; Ctrl-C ends the window at once (the caller tears down).
import { setTimeout as delay } from 'node:timers/promises';
import { type HelperClient, pb } from '@sluice/api';
import { type Lab, type LabRelay } from '@sluice/netlab';
import { expectSourceAddress } from './lab-checks.js';
import { type Log } from './measure.js';
import { type BenchOptions } from './options.js';
import {
  clockTicksPerSecond,
  cpuPercentOfOneCore,
  findHelperPid,
  readProcessUsage,
  type ProcessUsage,
} from './proc.js';
import { AsyncQueue } from './queue.js';
import { connectSluice, type SluiceHelper } from './sluice.js';
import { describeState, relayOf, TunnelStateWatch } from './tunnel-events.js';

export const IDLE_PROGRESS_EVERY_MS = 60_000;
/** Counted events kept in the results (the count itself is never capped). */
const MAX_EVENTS_KEPT = 100;

export interface IdleEvent {
  /** Seconds into the window. */
  atSeconds: number;
  what: string;
}

export interface HelperUsage {
  pid: number;
  rssKbStart: number;
  rssKbEnd: number;
  cpuSeconds: number;
  cpuPercentOfOneCore: number;
}

export interface IdleResult {
  /** The window as it was (the option, give or take the timer). */
  seconds: number;
  /** The relay Sluice was connected through when the window opened. */
  relay: string;
  /** Events that count against the target (see the file comment). */
  falseReconnects: number;
  /** The counted events, the first MAX_EVENTS_KEPT. */
  events: IdleEvent[];
  /** `connected` events via the same relay (a re-announcement, not counted). */
  connectedRepeats: number;
  helper: HelperUsage | null;
  /** Why `helper` is null. */
  helperUsageError: string | null;
  /** Web saw the relay's address for a request made right after the window. */
  tunnelWorkedAfter: boolean;
}

export type IdleVerdict = { kind: 'counted'; what: string } | { kind: 'repeat' } | { kind: 'ignored' };

/** What one event on the stream means for the idle check, while connected via `relay`. */
export function classifyIdleEvent(event: pb.EventsListenResponse, relay: string): IdleVerdict {
  const payload = event.event;
  if (payload?.$case === 'tunnelState') {
    const state = payload.value;
    if (state.state?.$case !== 'connected') return { kind: 'counted', what: describeState(state) };
    const via = relayOf(state);
    return via === relay ? { kind: 'repeat' } : { kind: 'counted', what: describeState(state) };
  }
  if (payload?.$case === 'notice' && payload.value.kind === pb.Notice_Kind.KIND_UNEXPECTED_DISCONNECT)
    return {
      kind: 'counted',
      what: `notice KIND_UNEXPECTED_DISCONNECT${payload.value.message === '' ? '' : ` (${payload.value.message})`}`,
    };
  return { kind: 'ignored' };
}

/** The stream during the window: classified events, and a promise that rejects when the stream ends. */
class IdleWatch {
  readonly counted: IdleEvent[] = [];
  falseReconnects = 0;
  connectedRepeats = 0;
  /** Rejects when the stream ends before close(); never resolves. */
  readonly ended: Promise<never>;
  private readonly snapshot = new AsyncQueue<pb.TunnelState | undefined>();
  private readonly stream: { cancel(): void };
  private relay = '';
  private openedAt = 0;
  private rejectEnded: (error: Error) => void = () => undefined;

  private constructor(client: HelperClient) {
    this.ended = new Promise<never>((_, reject) => (this.rejectEnded = reject));
    this.ended.catch(() => undefined); // handled where it is raced; never an unhandled rejection
    let seenSnapshot = false;
    this.stream = client.listenEvents(
      (event) => {
        if (!seenSnapshot) {
          seenSnapshot = true;
          this.snapshot.push(event.event?.$case === 'snapshot' ? event.event.value.tunnelState : undefined);
          return;
        }
        const verdict = classifyIdleEvent(event, this.relay);
        if (verdict.kind === 'repeat') this.connectedRepeats++;
        if (verdict.kind !== 'counted') return;
        this.falseReconnects++;
        if (this.counted.length < MAX_EVENTS_KEPT)
          this.counted.push({
            atSeconds: Math.round((performance.now() - this.openedAt) / 100) / 10,
            what: verdict.what,
          });
      },
      (error) => {
        const reason = new Error(
          `the event stream ended during the idle window${error ? `: ${error.message}` : ''}`,
        );
        this.snapshot.end(reason);
        this.rejectEnded(reason);
      },
    );
  }

  /** Subscribe; resolves with the relay once the snapshot says Sluice is connected. */
  static async open(client: HelperClient): Promise<IdleWatch> {
    const watch = new IdleWatch(client);
    try {
      const state = await watch.snapshot.shift(10_000, 'the EventsListen snapshot');
      if (state?.state?.$case !== 'connected')
        throw new Error(
          `Sluice is ${state === undefined ? 'in no state' : describeState(state)} at the start of the idle window`,
        );
      watch.relay = relayOf(state);
      watch.openedAt = performance.now();
    } catch (error) {
      watch.close();
      throw error;
    }
    return watch;
  }

  get connectedVia(): string {
    return this.relay;
  }

  close(): void {
    this.stream.cancel();
  }
}

/** Sleep `ms` in steps, calling `tick` every `tickMs`; ends early when `signal` aborts or `ended` rejects. */
export async function idleWait(
  ms: number,
  signal: AbortSignal,
  ended: Promise<never>,
  tick: (elapsedMs: number) => void,
  tickMs = IDLE_PROGRESS_EVERY_MS,
): Promise<void> {
  const start = performance.now();
  let nextTick = tickMs;
  for (;;) {
    signal.throwIfAborted();
    const elapsed = performance.now() - start;
    if (elapsed >= ms) return;
    const step = new AbortController();
    try {
      await Promise.race([
        delay(Math.max(1, Math.min(ms, nextTick) - elapsed), undefined, {
          signal: AbortSignal.any([signal, step.signal]),
        }),
        ended,
      ]);
    } catch (error) {
      signal.throwIfAborted(); // the interrupt's own reason, not the timer's AbortError
      throw error;
    } finally {
      step.abort(); // the timer of a step that `ended` cut short
    }
    if (performance.now() - start >= nextTick && nextTick < ms) {
      tick(nextTick);
      nextTick += tickMs;
    }
  }
}

/** Connected via some relay (connects when disconnected); watch the stream for options.idleSeconds. */
export async function measureIdle(
  lab: Lab,
  helper: SluiceHelper,
  relays: readonly LabRelay[],
  options: BenchOptions,
  log: Log,
  signal: AbortSignal,
): Promise<IdleResult> {
  const before = await TunnelStateWatch.open(helper.client);
  const initial = before.initialState?.state?.$case;
  before.close();
  if (initial === 'disconnected') await connectSluice(helper);

  const ticksPerSecond = await clockTicksPerSecond();
  const watch = await IdleWatch.open(helper.client);
  let usageError: string | null = null;
  let pid: number | null = null;
  let start: ProcessUsage | null = null;
  try {
    pid = findHelperPid(helper.socket);
    start = readProcessUsage(pid);
  } catch (error) {
    usageError = error instanceof Error ? error.message : String(error);
  }
  const openedAt = performance.now();
  const seconds = options.idleSeconds;
  log(`sluice: idle for ${seconds} s, connected via ${watch.connectedVia}; nothing sent through the tunnel`);
  let end: ProcessUsage | null = null;
  try {
    await idleWait(seconds * 1000, signal, watch.ended, (elapsedMs) => {
      let rss = '';
      try {
        if (pid !== null) rss = `, sluiced RSS ${(readProcessUsage(pid).rssKb / 1024).toFixed(1)} MiB`;
      } catch {
        rss = ', sluiced is gone';
      }
      log(
        `sluice: idle ${Math.round(elapsedMs / 1000)}/${seconds} s: ${watch.falseReconnects} counted ` +
          `event${watch.falseReconnects === 1 ? '' : 's'} so far${rss}`,
      );
    });
    if (pid !== null && start !== null) {
      try {
        end = readProcessUsage(pid);
      } catch (error) {
        usageError = error instanceof Error ? error.message : String(error);
      }
    }
  } finally {
    watch.close();
  }
  const windowSeconds = Math.round((performance.now() - openedAt) / 100) / 10;
  const via = relays.find((r) => r.hostname === watch.connectedVia);
  const tunnelWorkedAfter =
    via !== undefined &&
    (await expectSourceAddress(lab, via.address.v4, 'after the idle window').then(
      () => true,
      (error: unknown) => {
        log(`sluice: ${String(error)}`);
        return false;
      },
    ));
  log(`sluice: idle window over: ${watch.falseReconnects} counted events`);
  return {
    seconds: windowSeconds,
    relay: watch.connectedVia,
    falseReconnects: watch.falseReconnects,
    events: watch.counted,
    connectedRepeats: watch.connectedRepeats,
    helper:
      pid !== null && start !== null && end !== null
        ? {
            pid,
            rssKbStart: start.rssKb,
            rssKbEnd: end.rssKb,
            cpuSeconds: Math.round(((end.cpuTicks - start.cpuTicks) / ticksPerSecond) * 100) / 100,
            cpuPercentOfOneCore: Math.round(cpuPercentOfOneCore(start, end, ticksPerSecond) * 1000) / 1000,
          }
        : null,
    helperUsageError: usageError,
    tunnelWorkedAfter,
  };
}
