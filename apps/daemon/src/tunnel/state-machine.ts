// The tunnel state machine (after Mullvad's talpid states), as a pure function: a state and an event in,
// the next state, the effects the driver must carry out and why. Each state's firewall policy is one of
// the effects, as each talpid state applies its own policy on entry:
//   disconnected  `apply-policy idle` (no table, or blocked under lockdown)
//   connecting    the attempt applies "connecting" (only the relay) as its first step, then "connected"
//   connected     already in force (the attempt's last policy)
//   disconnecting holds what is in force: the connecting and connected policies already block
//                 everything outside the tunnel, so tear-down needs no policy of its own
//   error         `apply-policy blocked` when the firewall can block
// Settings changes arrive as events with their impact (settings-impact.ts), so which change reconnects
// and which only needs a new policy is decided here, in one place.
import type { ErrorCause, RelaySummary } from './types.js';
import type { SettingsImpact } from './settings-impact.js';

export type { ErrorCause, RelaySummary } from './types.js';

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
  /** The attempt picked a relay. */
  | { type: 'relay-selected'; relay: RelaySummary }
  | { type: 'attempt-succeeded'; relay: RelaySummary }
  /** An attempt failed; `retry` false means retrying cannot help (no relay matches, no identity). */
  | { type: 'attempt-failed'; cause: ErrorCause; message: string; retry: boolean; relay?: string }
  /** A connected tunnel stopped working (dead relay, network change). */
  | { type: 'tunnel-lost'; message: string; relay: string }
  /** The WireGuard device came back after its process died: its addresses and routes are gone. */
  | { type: 'device-restarted'; message: string }
  /** The WireGuard device is gone for good (wireguard-go kept dying). */
  | { type: 'device-failed'; message: string }
  /** A firewall policy could not be applied: nothing may claim to be protected. */
  | { type: 'firewall-failed'; message: string }
  | { type: 'settings-changed'; impact: SettingsImpact }
  | { type: 'torn-down' };

/** Which policy to apply: `idle` is resolved by the driver (blocked under lockdown, else none). */
export type PolicyIntent = 'idle' | 'blocked' | 'tunnel';

export type Effect =
  | { type: 'start-attempt'; attempt: number; avoid: string[] }
  /** Start attempt `attempt` after `delayMs` (cancelled by cancel-attempt). */
  | { type: 'retry-after'; delayMs: number; attempt: number; avoid: string[] }
  | { type: 'cancel-attempt' }
  | { type: 'tear-down' }
  | { type: 'apply-policy'; intent: PolicyIntent }
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

const startFresh = (reason: string, avoid: string[] = []): Transition => ({
  state: { kind: 'connecting', attempt: 1, avoid },
  effects: [{ type: 'start-attempt', attempt: 1, avoid }],
  reason,
});

/** Into the error state: the tunnel (if any) comes down and traffic stays blocked when it can be. */
function fail(cause: ErrorCause, message: string, context: MachineContext, tearDown: boolean): Transition {
  const effects: Effect[] = tearDown ? [{ type: 'cancel-attempt' }, { type: 'tear-down' }] : [];
  if (context.canBlock) effects.push({ type: 'apply-policy', intent: 'blocked' });
  return { state: { kind: 'error', cause, message, blocking: context.canBlock }, effects, reason: message };
}

export function transition(state: TunnelState, event: TunnelEvent, context: MachineContext): Transition {
  if (event.type === 'firewall-failed') {
    if (state.kind === 'error' && state.cause === 'firewall')
      return unchanged(state, 'the firewall still fails');
    // A tunnel whose kill switch cannot be enforced is not kept: take it down, say why, and claim to
    // block nothing (no policy: applying one just failed).
    const tunnel =
      state.kind === 'connecting' || state.kind === 'connected' || state.kind === 'disconnecting';
    return {
      state: { kind: 'error', cause: 'firewall', message: event.message, blocking: false },
      effects: tunnel ? [{ type: 'cancel-attempt' }, { type: 'tear-down' }] : [],
      reason: event.message,
    };
  }
  switch (state.kind) {
    case 'disconnected':
      switch (event.type) {
        case 'connect':
        case 'reconnect':
          return startFresh('user asked to connect');
        case 'settings-changed':
          return event.impact.firewall
            ? {
                state,
                effects: [{ type: 'apply-policy', intent: 'idle' }],
                reason: 'firewall settings changed',
              }
            : unchanged(state, 'settings changed');
        default:
          return unchanged(state, `ignored ${event.type} while disconnected`);
      }

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
        case 'attempt-failed':
          if (!event.retry) return fail(event.cause, event.message, context, true);
          return retry(state, event.message, event.relay);
        case 'device-restarted':
          // A device that dies while being set up is a failed attempt: retried with the usual backoff.
          return withCancel(retry(state, event.message, undefined));
        case 'disconnect':
          return {
            state: { kind: 'disconnecting', after: 'nothing' },
            effects: [{ type: 'cancel-attempt' }, { type: 'tear-down' }],
            reason: 'user asked to disconnect',
          };
        case 'reconnect':
          return withCancel(startFresh('user asked to reconnect'));
        case 'device-failed':
          return fail('tunnel-setup', event.message, context, true);
        case 'settings-changed':
          return event.impact.tunnel || event.impact.firewall
            ? withCancel(startFresh('settings changed; starting over'))
            : unchanged(state, 'settings changed');
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
        case 'device-restarted':
          return {
            state: { kind: 'disconnecting', after: 'reconnect' },
            effects: [
              { type: 'tear-down' },
              { type: 'notify-unexpected-disconnect', message: event.message },
            ],
            reason: event.message,
          };
        case 'device-failed':
          return fail('tunnel-setup', event.message, context, true);
        case 'settings-changed':
          if (event.impact.tunnel) {
            return {
              state: { kind: 'disconnecting', after: 'reconnect' },
              effects: [{ type: 'tear-down' }],
              reason: 'tunnel settings changed; reconnecting',
            };
          }
          return event.impact.firewall
            ? {
                state,
                effects: [{ type: 'apply-policy', intent: 'tunnel' }],
                reason: 'firewall settings changed',
              }
            : unchanged(state, 'settings changed');
        default:
          return unchanged(state, `ignored ${event.type} while connected`);
      }

    case 'disconnecting':
      switch (event.type) {
        case 'torn-down':
          if (state.after === 'reconnect') return startFresh('reconnecting', state.avoid ?? []);
          return {
            state: { kind: 'disconnected' },
            effects: [{ type: 'apply-policy', intent: 'idle' }],
            reason: 'tunnel down',
          };
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
            state: {
              kind: 'disconnecting',
              after: 'reconnect',
              ...(state.avoid ? { avoid: state.avoid } : {}),
            },
            effects: [],
            reason: 'user asked to connect',
          };
        default:
          // Settings are read when the next state is entered.
          return unchanged(state, `ignored ${event.type} while disconnecting`);
      }

    case 'error':
      switch (event.type) {
        case 'connect':
        case 'reconnect':
          return startFresh('user asked to connect');
        case 'disconnect':
          return {
            state: { kind: 'disconnected' },
            effects: [{ type: 'apply-policy', intent: 'idle' }],
            reason: 'user asked to disconnect',
          };
        case 'settings-changed':
          // The user wanted the tunnel: new relay or tunnel settings may be what was missing.
          if (event.impact.tunnel) return startFresh('settings changed; trying again');
          return event.impact.firewall && state.blocking
            ? {
                state,
                effects: [{ type: 'apply-policy', intent: 'blocked' }],
                reason: 'firewall settings changed',
              }
            : unchanged(state, 'settings changed');
        default:
          return unchanged(state, `ignored ${event.type} in the error state`);
      }
  }
}

/** The next attempt after a failed one, after a growing delay, avoiding the relay that failed. */
function retry(
  state: Extract<TunnelState, { kind: 'connecting' }>,
  message: string,
  relay: string | undefined,
): Transition {
  const attempt = state.attempt + 1;
  const avoid = relay && !state.avoid.includes(relay) ? [...state.avoid, relay] : state.avoid;
  return {
    state: { kind: 'connecting', attempt, avoid },
    effects: [{ type: 'retry-after', delayMs: retryDelayMs(attempt), attempt, avoid }],
    reason: `attempt ${state.attempt} failed: ${message}`,
  };
}

function withCancel(next: Transition): Transition {
  return { ...next, effects: [{ type: 'cancel-attempt' }, ...next.effects] };
}
