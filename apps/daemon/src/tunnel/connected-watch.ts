// What watches a connected tunnel: its liveness monitor (one per session, stopped when the session is
// no longer the connected one) and the watch of the main table's default routes (started with the first
// connected session, kept until the helper stops). Each reports a lost tunnel; the driver decides.
import type { Logger } from 'pino';
import { watchTunnel, type TunnelWatch } from './connectivity/monitor.js';
import type { Pinger } from './connectivity/pinger.js';
import type { TunnelSession } from './session.js';
import { errorText } from './types.js';

export interface ConnectedWatchParts {
  pinger: Pinger;
  log: Logger;
  watchDefaultRoute?: (onChange: (line: string) => void) => { stop(): void };
  /** The tunnel of `session` stopped working; `relay` is the one to avoid ('' for none). */
  onLost: (session: TunnelSession | undefined, message: string, relay: string) => void;
}

export class ConnectedWatch {
  private liveness: { session: TunnelSession; watch: TunnelWatch } | undefined;
  private routes: { stop(): void } | undefined;
  private watched: TunnelSession | undefined;

  constructor(private readonly parts: ConnectedWatchParts) {}

  /** Watch `session` (the connected one), or nothing when undefined. */
  follow(session: TunnelSession | undefined): void {
    this.watched = session;
    const device = session?.device;
    if (!session || !device) {
      this.stopLiveness();
      return;
    }
    if (this.liveness?.session === session) return;
    this.stopLiveness();
    const relay = session.plan.relay.hostname;
    const { pinger, log } = this.parts;
    this.liveness = {
      session,
      watch: watchTunnel({
        device,
        pinger,
        probeTarget: session.plan.verifyTargets[0],
        onDead: (reason) => this.parts.onLost(session, `${relay} stopped answering (${reason})`, relay),
        onSampleError: (error) => log.debug({ err: errorText(error) }, 'monitor sample failed'),
      }),
    };
    this.routes ??= this.parts.watchDefaultRoute?.((line) => {
      if (!this.watched) return;
      log.info({ change: line }, 'the default route changed');
      // The relay is fine; the way to it changed.
      this.parts.onLost(this.watched, 'the network changed', '');
    });
  }

  stop(): void {
    this.follow(undefined);
    this.routes?.stop();
    this.routes = undefined;
  }

  private stopLiveness(): void {
    this.liveness?.watch.stop();
    this.liveness = undefined;
  }
}
