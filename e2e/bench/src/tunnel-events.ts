// Sluice's tunnel states as they arrive on EventsListen, each stamped on arrival, so the bench can time a
// Connect to the first `connected` event (or a relay switch, or a relay's death, to the first `connected`
// event via the relay it expects).
import type { HelperClient, pb } from '@sluice/api';
import { AsyncQueue } from './queue.js';

export type TunnelStateKind = NonNullable<pb.TunnelState['state']>['$case'];

export interface StampedState {
  state: pb.TunnelState;
  kind: TunnelStateKind | 'unknown';
  /** performance.now() when the event arrived. */
  at: number;
}

/** The relay of a connecting or connected state, '' when it names none. */
export function relayOf(state: pb.TunnelState): string {
  const inner = state.state;
  if (inner?.$case === 'connected' || inner?.$case === 'connecting') return inner.value.relay?.hostname ?? '';
  return '';
}

/** "connected via se-got-wg-001 (reconnecting)", "error (…)": a state in words, for logs and failures. */
export function describeState(state: pb.TunnelState): string {
  const inner = state.state;
  if (inner?.$case === 'error') return `error (${inner.value.message})`;
  const relay = relayOf(state);
  return `${inner?.$case ?? 'unknown'}${relay === '' ? '' : ` via ${relay}`}${state.reason === '' ? '' : ` (${state.reason})`}`;
}

export class TunnelStateWatch {
  private readonly queue = new AsyncQueue<StampedState>();
  private readonly stream: { cancel(): void };
  private snapshotState: pb.TunnelState | undefined;

  private constructor(client: HelperClient) {
    this.stream = client.listenEvents(
      (event) => {
        const at = performance.now();
        const payload = event.event;
        if (payload?.$case === 'snapshot') {
          this.snapshotState = payload.value.tunnelState;
          this.queue.push({
            state: payload.value.tunnelState ?? { lockedDown: false, reason: '', bypassRanges: [] },
            kind: 'unknown',
            at,
          });
        } else if (payload?.$case === 'tunnelState') {
          this.queue.push({ state: payload.value, kind: payload.value.state?.$case ?? 'unknown', at });
        }
      },
      (error) => this.queue.end(error ?? new Error('the event stream was closed')),
    );
  }

  /** Subscribe and wait for the snapshot, so no later event can be missed. */
  static async open(client: HelperClient, timeoutMs = 10_000): Promise<TunnelStateWatch> {
    const watch = new TunnelStateWatch(client);
    try {
      await watch.queue.shift(timeoutMs, 'the EventsListen snapshot');
    } catch (error) {
      watch.close();
      throw error;
    }
    return watch;
  }

  /** The tunnel state in the snapshot (before anything this bench did). */
  get initialState(): pb.TunnelState | undefined {
    return this.snapshotState;
  }

  /**
   * The next state of kind `kind`, skipping the ones in `passing` (e.g. connecting on the way to
   * connected). Any other state is a failure, reported with its reason.
   */
  async next(
    kind: TunnelStateKind,
    passing: readonly TunnelStateKind[],
    timeoutMs: number,
  ): Promise<StampedState> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stamped = await this.queue.shift(Math.max(1, deadline - Date.now()), `the tunnel to be ${kind}`);
      if (stamped.kind === kind) return stamped;
      if (stamped.kind === 'unknown' || !passing.includes(stamped.kind))
        throw new Error(`waiting for ${kind}, the tunnel became ${describeState(stamped.state)}`);
    }
  }

  /**
   * The first state `accept` takes, with the states passed on the way; those must be of a kind in
   * `passing` (a state `accept` refuses, e.g. `connected` via the old relay, passes when its kind does).
   */
  async until(
    accept: (stamped: StampedState) => boolean,
    passing: readonly TunnelStateKind[],
    timeoutMs: number,
    what: string,
  ): Promise<{ state: StampedState; passed: StampedState[] }> {
    const deadline = Date.now() + timeoutMs;
    const passed: StampedState[] = [];
    for (;;) {
      let stamped: StampedState;
      try {
        stamped = await this.queue.shift(Math.max(1, deadline - Date.now()), what);
      } catch (error) {
        const seen = passed.map((p) => describeState(p.state)).join(', ');
        throw new Error(
          `${error instanceof Error ? error.message : String(error)} (saw: ${seen || 'nothing'})`,
          {
            cause: error,
          },
        );
      }
      if (accept(stamped)) return { state: stamped, passed };
      if (stamped.kind === 'unknown' || !passing.includes(stamped.kind))
        throw new Error(`waiting for ${what}, the tunnel became ${describeState(stamped.state)}`);
      passed.push(stamped);
    }
  }

  close(): void {
    this.stream.cancel();
  }
}
