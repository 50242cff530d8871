// Relay latency: the helper measures (outside the tunnel) and the trusted side patches the results into
// the state as they arrive; this asks for a measurement and keeps why one failed.
import { initialState, type LatencyView } from '../../shared/ipc';
import { messageOf } from './errors';
import type { SliceContext } from './slice';

export interface LatencySlice {
  latency: Record<string, LatencyView>;
  latencyMeasuring: boolean;
  latencyProblem: string | undefined;
  measureLatency: () => void;
}

export function createLatencySlice(ctx: SliceContext): LatencySlice {
  return {
    latency: initialState.latency,
    latencyMeasuring: initialState.latencyMeasuring,
    latencyProblem: undefined,
    measureLatency() {
      ctx.set({ latencyProblem: undefined });
      ctx.api
        .invoke('measureLatency', {})
        .catch((error: unknown) => ctx.set({ latencyProblem: messageOf(error) }));
    },
  };
}
