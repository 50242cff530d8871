// Pings through the tunnel, behind an interface so the engine's tests use a fake (after
// talpid-wireguard's connectivity/pinger). The real one runs `ping` through the Runner: Node has no raw
// ICMP sockets, and only ping can set don't-fragment for path-MTU probes.
import type { Runner } from '../../net/exec.js';
import { pingPayloadFor } from '../../net/mtu.js';

export interface PingOptions {
  /** How long to wait for the answer. */
  timeoutMs: number;
  /** Packet size in bytes (IP header included), sent with don't-fragment; absent: a small echo. */
  size?: number;
  /** Echo requests to send (0.2 s apart); one answer is enough. Default 1. */
  count?: number;
  signal?: AbortSignal;
}

export interface Pinger {
  /** True when `target` answered through `interfaceName` within the timeout. */
  ping(interfaceName: string, target: string, options: PingOptions): Promise<boolean>;
}

export class ProcessPinger implements Pinger {
  constructor(private readonly runner: Runner) {}

  async ping(interfaceName: string, target: string, options: PingOptions): Promise<boolean> {
    const family = target.includes(':') ? 6 : 4;
    const count = options.count ?? 1;
    const argv = [
      'ping',
      family === 4 ? '-4' : '-6',
      '-n',
      '-q',
      '-c',
      String(count),
      ...(count > 1 ? ['-i', '0.2'] : []),
      '-W',
      (options.timeoutMs / 1000).toFixed(3),
      ...(options.size === undefined ? [] : ['-M', 'do', '-s', String(pingPayloadFor(options.size, family))]),
      '-I',
      interfaceName,
      target,
    ];
    // Exit 1: no answer; 2: an error such as "message too long" or no route. Neither is an answer.
    const result = await this.runner
      .run(argv, {
        okCodes: [1, 2],
        timeoutMs: options.timeoutMs + count * 200 + 2_000,
        ...(options.signal ? { signal: options.signal } : {}),
      })
      .catch(() => undefined);
    return result?.code === 0;
  }
}
