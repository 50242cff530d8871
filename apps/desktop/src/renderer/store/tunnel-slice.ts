// The tunnel state, and the optimistic state shown while a connect/disconnect request is on its way:
// the user sees "Connecting…" at once, and the helper's real state as soon as it moves (or the request
// fails, or it succeeded but the helper sent nothing for a while).
import type { TunnelStateName, TunnelStatus } from '@sluice/api/domain';
import { initialState } from '../../shared/ipc';
import type { OptimisticTunnelState, TunnelAction } from '../model/display-state';
import { emptyTraffic, recordCounters, type TrafficHistory } from '../model/traffic';
import type { SliceContext } from './slice';

export interface OptimisticTunnel {
  state: OptimisticTunnelState;
  /** The helper's state when the request was made: any other state from it ends the guess. */
  fromState: TunnelStateName;
  requestId: number;
}

export interface TunnelSlice {
  tunnel: TunnelStatus;
  optimisticTunnel: OptimisticTunnel | undefined;
  runTunnelAction: (action: TunnelAction) => void;
  /** A tunnel state from the helper. */
  /** Rates over the last minute while connected (the live traffic graph). */
  traffic: TrafficHistory;
  receiveTunnel: (tunnel: TunnelStatus) => void;
  dropOptimisticTunnel: () => void;
}

const FAILURE_WORDS: Record<TunnelAction, string> = {
  connect: 'Could not connect',
  disconnect: 'Could not disconnect',
  reconnect: 'Could not reconnect',
};

export function createTunnelSlice(ctx: SliceContext): TunnelSlice {
  const { api, set, get } = ctx;
  const endGuess = (requestId: number): void => {
    if (get().optimisticTunnel?.requestId === requestId) set({ optimisticTunnel: undefined });
  };

  return {
    tunnel: initialState.tunnel,
    traffic: emptyTraffic,
    optimisticTunnel: undefined,

    runTunnelAction(action) {
      const requestId = ctx.nextRequestId();
      // A new attempt makes the last failure old news.
      set({
        error: undefined,
        optimisticTunnel: {
          state: action === 'disconnect' ? 'disconnecting' : 'connecting',
          fromState: get().tunnel.state,
          requestId,
        },
      });
      api.invoke(action, {}).then(
        () => ctx.later(() => endGuess(requestId), ctx.settleMs),
        (error: unknown) => {
          endGuess(requestId);
          ctx.report(FAILURE_WORDS[action], error);
        },
      );
    },

    receiveTunnel(tunnel) {
      const guess = get().optimisticTunnel;
      // Stats updates repeat the old state; only a move away from it is the helper's answer.
      const answered = guess !== undefined && tunnel.state !== guess.fromState;
      const device = tunnel.state === 'connected' ? tunnel.tunnel : undefined;
      const traffic = device
        ? recordCounters(get().traffic, { atMs: ctx.now(), rxBytes: device.rxBytes, txBytes: device.txBytes })
        : emptyTraffic;
      set(answered ? { tunnel, traffic, optimisticTunnel: undefined } : { tunnel, traffic });
    },

    dropOptimisticTunnel() {
      set({ optimisticTunnel: undefined });
    },
  };
}
