// The leak counter: tcpdump on the isp's client-facing interfaces, every frame the client sends, sorted
// into WireGuard to a relay, link housekeeping (ARP, neighbour discovery) and leaks (everything else).
import { type ChildProcess } from 'node:child_process';
import { inNetns, start } from './exec.js';
import {
  classifyPacket,
  parseTcpdumpLine,
  parseTcpdumpStats,
  tcpdumpArgv,
  type CapturedPacket,
  type PacketClass,
  type TcpdumpStats,
  type WireguardEndpoint,
} from './tcpdump.js';
import { waitFor } from './wait.js';

export interface ClassifiedPacket extends CapturedPacket {
  class: PacketClass;
}

export interface CaptureResult {
  /** Every frame the client sent while the capture ran, in capture order per interface. */
  packets: ClassifiedPacket[];
  /** The packets that are neither WireGuard to a relay nor link housekeeping. */
  leaks: ClassifiedPacket[];
  wireguard: ClassifiedPacket[];
  /**
   * True when tcpdump confirmed it had printed every frame its kernel filter accepted before it stopped
   * (false means packets may be missing from this result, e.g. kernel drops under load).
   */
  complete: boolean;
}

interface Tap {
  iface: string;
  child: ChildProcess;
  stdout: string;
  stderr: string;
  packets: ClassifiedPacket[];
  exited: Promise<void>;
}

export class LeakCapture {
  private stopped: Promise<CaptureResult> | undefined;

  private constructor(
    private readonly taps: Tap[],
    private readonly endpoints: readonly WireguardEndpoint[],
  ) {}

  /** Start tcpdump on each interface (isp side, `ispMac` being that interface's own address). */
  static async start(
    namespace: string,
    interfaces: readonly { iface: string; ispMac: string }[],
    endpoints: readonly WireguardEndpoint[],
  ): Promise<LeakCapture> {
    const taps = interfaces.map(({ iface, ispMac }) => {
      const child = start(inNetns(namespace, tcpdumpArgv(iface, ispMac)), {
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      const tap: Tap = {
        iface,
        child,
        stdout: '',
        stderr: '',
        packets: [],
        exited: new Promise((resolve) => child.once('close', () => resolve())),
      };
      child.stdout?.setEncoding('utf8');
      child.stderr?.setEncoding('utf8');
      child.stdout?.on('data', (chunk: string) => {
        tap.stdout += chunk;
        const end = tap.stdout.lastIndexOf('\n');
        if (end < 0) return;
        const lines = tap.stdout.slice(0, end).split('\n');
        tap.stdout = tap.stdout.slice(end + 1);
        for (const line of lines) {
          const packet = parseTcpdumpLine(line, iface);
          if (packet) tap.packets.push({ ...packet, class: classifyPacket(packet, endpoints) });
        }
      });
      child.stderr?.on('data', (chunk: string) => (tap.stderr += chunk));
      return tap;
    });
    const capture = new LeakCapture(taps, endpoints);
    try {
      await Promise.all(
        taps.map((tap) =>
          waitFor(
            () => {
              if (tap.child.exitCode !== null) throw new Error(`tcpdump exited: ${tap.stderr.trim()}`);
              return tap.stderr.includes('listening on');
            },
            { what: `tcpdump on ${tap.iface}`, timeoutMs: 10_000, intervalMs: 10 },
          ),
        ),
      );
    } catch (error) {
      for (const tap of taps) tap.child.kill('SIGKILL');
      throw error;
    }
    return capture;
  }

  /** The relay endpoints that count as WireGuard. */
  get wireguardEndpoints(): readonly WireguardEndpoint[] {
    return this.endpoints;
  }

  /** Packets seen so far. */
  packets(): ClassifiedPacket[] {
    return this.taps.flatMap((tap) => tap.packets);
  }

  leaks(): ClassifiedPacket[] {
    return this.packets().filter((p) => p.class === 'leak');
  }

  /** Wait until a leak matching `match` has been seen; returns it. */
  async waitForLeak(
    match: (packet: ClassifiedPacket) => boolean,
    timeoutMs = 5_000,
  ): Promise<ClassifiedPacket> {
    return waitFor(() => this.leaks().find(match), {
      what: 'a matching leaked packet',
      timeoutMs,
      intervalMs: 10,
    });
  }

  /**
   * Stop, after making sure tcpdump printed every frame it had received: ask for its statistics (SIGUSR1)
   * until "captured" catches up with "received by filter", then SIGINT and read the rest.
   */
  stop(): Promise<CaptureResult> {
    this.stopped ??= this.finish();
    return this.stopped;
  }

  private async finish(): Promise<CaptureResult> {
    const complete = await Promise.all(this.taps.map((tap) => drain(tap)));
    for (const tap of this.taps) tap.child.kill('SIGINT');
    await Promise.all(this.taps.map((tap) => tap.exited));
    const packets = this.packets();
    return {
      packets,
      leaks: packets.filter((p) => p.class === 'leak'),
      wireguard: packets.filter((p) => p.class === 'wireguard'),
      complete: complete.every(Boolean),
    };
  }
}

async function drain(tap: Tap): Promise<boolean> {
  if (tap.child.exitCode !== null) return false;
  const deadline = Date.now() + 5_000;
  for (;;) {
    const before = countStats(tap.stderr);
    tap.child.kill('SIGUSR1');
    let stats: TcpdumpStats | undefined;
    try {
      stats = await waitFor(
        () => (countStats(tap.stderr) > before ? parseTcpdumpStats(tap.stderr) : undefined),
        {
          what: `tcpdump statistics on ${tap.iface}`,
          timeoutMs: 2_000,
          intervalMs: 5,
        },
      );
    } catch {
      return false;
    }
    if (stats.captured >= stats.receivedByFilter) return true;
    if (Date.now() >= deadline) return false;
  }
}

function countStats(stderr: string): number {
  return stderr.split('packets received by filter').length - 1;
}
