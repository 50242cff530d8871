// RelayService.MeasureLatency: validate the hostnames, say at once which relays cannot be measured,
// then stream each relay's answer as the shared meter (relays/latency-meter.ts) has it. The stream
// ends when every relay is answered; a client that goes away stops the probes only it wanted.
import * as grpc from '@grpc/grpc-js';
import type { pb } from '@sluice/api';
import { MAX_LATENCY_HOSTNAMES, relayLatencyToPb, validateHostname, validateList } from '@sluice/api/domain';
import { latencyTargets, relayLatency } from '../relays/latency.js';
import type { DaemonContext } from './context.js';
import { admit, BusyError, refusal } from './handler.js';

/** Relays probed per call; the rest are answered "not measured" (a Mullvad list has about 600). */
export const MAX_PROBED_PER_CALL = 2_000;
/** Calls streaming at once: each holds its targets and results until it ends. */
export const MAX_LATENCY_CALLS = 16;

type MeasureLatencyCall = grpc.ServerWritableStream<pb.MeasureLatencyRequest, pb.MeasureLatencyResponse>;

export function measureLatency(ctx: DaemonContext): (call: MeasureLatencyCall) => void {
  let calls = 0;
  return (call) => {
    let hostnames: string[];
    try {
      admit(ctx, 'measureLatency', call);
      hostnames = validateList('hostnames', call.request.hostnames, validateHostname, MAX_LATENCY_HOSTNAMES);
      if (calls >= MAX_LATENCY_CALLS)
        throw new BusyError(
          `${MAX_LATENCY_CALLS} latency measurements are running already; try again shortly`,
        );
    } catch (error) {
      // grpc-js sends a server stream's status from an 'error' event carrying code and details.
      call.emit('error', refusal(error));
      return;
    }
    calls++;
    const gone = new AbortController();
    const stop = (): void => gone.abort();
    // 'cancelled' fires when the client cancels or goes away.
    call.on('cancelled', stop);
    call.on('error', stop);
    const hostnamesAt = new Map<string, string[]>();
    for (const target of latencyTargets(ctx.relays.current().list, hostnames, MAX_PROBED_PER_CALL)) {
      if (target.address === undefined) {
        call.write({ latency: relayLatencyToPb(relayLatency(target.hostname, target)) });
        continue;
      }
      hostnamesAt.set(target.address, [...(hostnamesAt.get(target.address) ?? []), target.hostname]);
    }
    ctx.latency
      .measure([...hostnamesAt.keys()], gone.signal, (address, measurement) => {
        for (const hostname of hostnamesAt.get(address) ?? [])
          call.write({ latency: relayLatencyToPb(relayLatency(hostname, measurement)) });
      })
      .then(
        (complete) => {
          if (gone.signal.aborted) return;
          if (complete) call.end();
          // Only a stopping helper ends a measurement early: say so, never end as if it were complete.
          else call.emit('error', { code: grpc.status.UNAVAILABLE, details: 'the helper is stopping' });
        },
        (error: unknown) => {
          ctx.log.error({ err: error }, 'measuring relay latency failed');
          call.emit('error', refusal(error));
        },
      )
      .finally(() => {
        calls--;
      });
  };
}
