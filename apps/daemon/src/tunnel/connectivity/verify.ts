// Connecting's proof that the tunnel works (after talpid-wireguard's connectivity/check): a handshake
// with the relay and an answer from an in-tunnel target, before a deadline. The ping itself makes
// WireGuard start the handshake if the keepalive has not already.
import type { WireGuardDevice } from '../device.js';
import { AttemptFailure, throwIfCancelled } from '../types.js';
import type { Pinger } from './pinger.js';

export interface VerifyOptions {
  device: WireGuardDevice;
  pinger: Pinger;
  /** In-tunnel addresses; the first is required to answer, the others are only reported. */
  targets: readonly string[];
  timeoutMs: number;
  signal: AbortSignal;
  /** Targets other than the first that did not answer (an IPv6 path that does not work). */
  onUnanswered?: (target: string) => void;
  now?: () => number;
}

/** Resolves once verified; throws AttemptFailure (retry) at the deadline, AttemptCancelled on abort. */
export async function verifyTunnel(options: VerifyOptions): Promise<void> {
  const { device, pinger, targets, timeoutMs, signal } = options;
  const now = options.now ?? Date.now;
  const deadline = now() + timeoutMs;
  const [first, ...others] = targets;
  if (first === undefined) throw new AttemptFailure('tunnel-setup', 'no in-tunnel address to verify', false);
  for (;;) {
    throwIfCancelled(signal);
    const wait = Math.max(100, Math.min(1_000, deadline - now()));
    if (await pinger.ping(device.name, first, { timeoutMs: wait, signal })) {
      const stats = await device.stats();
      if (stats.lastHandshakeAgeMs !== null) {
        const answers = await Promise.all(
          others.map((target) => pinger.ping(device.name, target, { timeoutMs: 1_000, signal })),
        );
        others.forEach((target, i) => {
          if (!answers[i]) options.onUnanswered?.(target);
        });
        return;
      }
    }
    throwIfCancelled(signal);
    if (now() >= deadline) {
      const stats = await device.stats().catch(() => undefined);
      const why =
        stats?.lastHandshakeAgeMs === null || !stats
          ? 'no handshake with the relay'
          : `no answer from ${first} through the tunnel`;
      throw new AttemptFailure('tunnel-setup', `${why} within ${timeoutMs / 1000} s`, true);
    }
  }
}
