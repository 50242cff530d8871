// The tunnel state machine (after Mullvad's talpid states), as a pure function: a state and an event in,
// the next state and the effects the engine must carry out. Every transition says why it happened.

export interface RelaySummary {
  hostname: string;
  country: string;
  city: string;
  endpoint: string;
  publicKey: string;
}

export type ErrorCause =
  'no-relay' | 'no-identity' | 'tunnel-setup' | 'firewall' | 'dns' | 'routing' | 'split-tunnel' | 'internal';

export type TunnelState =
  | { kind: 'disconnected' }
  | { kind: 'connecting'; attempt: number; relay?: RelaySummary; avoid: string[] }
  | { kind: 'connected'; relay: RelaySummary }
  /** `avoid`: relays the reconnect should not start with (the one that just died). */
  | { kind: 'disconnecting'; after: 'nothing' | 'reconnect'; avoid?: string[] }
  | { kind: 'error'; cause: ErrorCause; message: string; blocking: boolean };

export type TunnelEvent =
  | { type: 'connect' }
  | { type: 'disconnect' }
  | { type: 'reconnect' }
  /** The engine picked a relay for the current attempt. */
  | { type: 'relay-selected'; relay: RelaySummary }
  | { type: 'attempt-succeeded'; relay: RelaySummary }
  /** An attempt failed; `retry` false means retrying cannot help (no relay matches, no identity). */
  | { type: 'attempt-failed'; cause: ErrorCause; message: string; retry: boolean; relay?: string }
  /** A connected tunnel stopped working (dead relay, network change). */
  | { type: 'tunnel-lost'; message: string; relay: string }
  /** A firewall policy could not be applied: nothing may claim to be protected. */
  | { type: 'firewall-failed'; message: string }
  | { type: 'torn-down' };

export type Effect =
  | { type: 'start-attempt'; attempt: number; avoid: string[] }
  /** Start attempt `attempt` after `delayMs` (cancelled by cancel-attempt). */
  | { type: 'retry-after'; delayMs: number; attempt: number; avoid: string[] }
  | { type: 'cancel-attempt' }
  | { type: 'tear-down' }
  | { type: 'notify-unexpected-disconnect'; message: string };

export interface Transition {
  state: TunnelState;
  effects: Effect[];
  reason: string;
}

/** Retry delay before attempt `attempt` (2-based): quick at first, then backing off to 10 s. */
export function retryDelayMs(attempt: number): number {
  return Math.min(10_000, 500 * 2 ** Math.max(0, attempt - 2));
}

/** How long an attempt waits for a handshake and an answer from the gateway: grows with retries. */
export function attemptTimeoutMs(attempt: number): number {
  return Math.min(15_000, 4_000 + 2_000 * (attempt - 1));
}

const unchanged = (state: TunnelState, reason: string): Transition => ({ state, effects: [], reason });

export interface MachineContext {
  /** Whether the firewall can block all traffic; the error state only claims to block when it can. */
  canBlock: boolean;
}

export function transition(state: TunnelState, event: TunnelEvent, context: MachineContext): Transition {
  if (event.type === 'firewall-failed') {
    if (state.kind === 'error' && state.cause === 'firewall')
      return unchanged(state, 'the firewall still fails');
    // A tunnel whose kill switch cannot be enforced is not kept: take it down, say why, block nothing
    // we cannot block.
    const effects: Effect[] =
      state.kind === 'connecting' || state.kind === 'connected'
        ? [{ type: 'cancel-attempt' }, { type: 'tear-down' }]
        : [];
    return {
      state: { kind: 'error', cause: 'firewall', message: event.message, blocking: false },
      effects,
      reason: event.message,
    };
  }
  switch (state.kind) {
    case 'disconnected':
      if (event.type === 'connect' || event.type === 'reconnect') {
        return {
          state: { kind: 'connecting', attempt: 1, avoid: [] },
          effects: [{ type: 'start-attempt', attempt: 1, avoid: [] }],
          reason: 'user asked to connect',
        };
      }
      return unchanged(state, `ignored ${event.type} while disconnected`);

    case 'connecting':
      switch (event.type) {
        case 'relay-selected':
          return {
            state: { ...state, relay: event.relay },
            effects: [],
            reason: `trying ${event.relay.hostname}`,
          };
        case 'attempt-succeeded':
          return {
            state: { kind: 'connected', relay: event.relay },
            effects: [],
            reason: `tunnel to ${event.relay.hostname} verified`,
          };
        case 'attempt-failed': {
          if (!event.retry) {
            return {
              state: {
                kind: 'error',
                cause: event.cause,
                message: event.message,
                blocking: context.canBlock,
              },
              effects: [{ type: 'tear-down' }],
              reason: event.message,
            };
          }
          const attempt = state.attempt + 1;
          const avoid =
            event.relay && !state.avoid.includes(event.relay) ? [...state.avoid, event.relay] : state.avoid;
          return {
            state: { kind: 'connecting', attempt, avoid },
            effects: [{ type: 'retry-after', delayMs: retryDelayMs(attempt), attempt, avoid }],
            reason: `attempt ${state.attempt} failed: ${event.message}`,
          };
        }
        case 'disconnect':
          return {
            state: { kind: 'disconnecting', after: 'nothing' },
            effects: [{ type: 'cancel-attempt' }, { type: 'tear-down' }],
            reason: 'user asked to disconnect',
          };
        case 'reconnect':
          return {
            state: { kind: 'connecting', attempt: 1, avoid: [] },
            effects: [{ type: 'cancel-attempt' }, { type: 'start-attempt', attempt: 1, avoid: [] }],
            reason: 'user asked to reconnect',
          };
        default:
          return unchanged(state, `ignored ${event.type} while connecting`);
      }

    case 'connected':
      switch (event.type) {
        case 'disconnect':
          return {
            state: { kind: 'disconnecting', after: 'nothing' },
            effects: [{ type: 'tear-down' }],
            reason: 'user asked to disconnect',
          };
        case 'reconnect':
          return {
            state: { kind: 'disconnecting', after: 'reconnect' },
            effects: [{ type: 'tear-down' }],
            reason: 'user asked to reconnect',
          };
        case 'tunnel-lost':
          return {
            state: { kind: 'disconnecting', after: 'reconnect', avoid: event.relay ? [event.relay] : [] },

            effects: [
              { type: 'tear-down' },
              { type: 'notify-unexpected-disconnect', message: event.message },
            ],
            reason: event.message,
          };
        default:
          return unchanged(state, `ignored ${event.type} while connected`);
      }

    case 'disconnecting':
      switch (event.type) {
        case 'torn-down':
          if (state.after === 'reconnect') {
            const avoid = state.avoid ?? [];
            return {
              state: { kind: 'connecting', attempt: 1, avoid },
              effects: [{ type: 'start-attempt', attempt: 1, avoid }],
              reason: 'reconnecting',
            };
          }

          return { state: { kind: 'disconnected' }, effects: [], reason: 'tunnel down' };
        // What happens once the tunnel is down can still change.
        case 'disconnect':
          return {
            state: { kind: 'disconnecting', after: 'nothing' },
            effects: [],
            reason: 'user asked to disconnect',
          };
        case 'connect':
        case 'reconnect':
          return {
            state: { kind: 'disconnecting', after: 'reconnect' },
            effects: [],
            reason: 'user asked to connect',
          };
        default:
          return unchanged(state, `ignored ${event.type} while disconnecting`);
      }

    case 'error':
      switch (event.type) {
        case 'connect':
        case 'reconnect':
          return {
            state: { kind: 'connecting', attempt: 1, avoid: [] },
            effects: [{ type: 'start-attempt', attempt: 1, avoid: [] }],
            reason: 'user asked to connect',
          };
        case 'disconnect':
          return { state: { kind: 'disconnected' }, effects: [], reason: 'user asked to disconnect' };
        default:
          return unchanged(state, `ignored ${event.type} in the error state`);
      }
  }
}
