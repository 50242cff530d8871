// What the main view shows for a tunnel state: the helper's state, overridden by the renderer's
// optimistic guess while a connect/disconnect request is on its way.
import type { TunnelStatus } from '@sluice/api/domain';

export type OptimisticTunnelState = 'connecting' | 'disconnecting';

export type DisplayState =
  'disconnected' | 'connecting' | 'connected' | 'disconnecting' | 'blocked' | 'error';

export type TunnelAction = 'connect' | 'disconnect' | 'reconnect';

export interface StateWords {
  /** The state in one word, as the status line shows it. */
  title: string;
  /** What it means for the user's traffic. */
  detail: string;
  /** Colour family in styles.css (status--<tone>). */
  tone: 'safe' | 'pending' | 'unsafe' | 'blocked';
}

export interface ActionButton {
  label: string;
  action: TunnelAction;
  /** Look: a go (green) button or a stop (red) one. */
  variant: 'go' | 'stop';
}

export interface ButtonModel {
  primary: ActionButton;
  secondary?: ActionButton;
}

export function displayStateOf(
  tunnel: TunnelStatus,
  optimistic: OptimisticTunnelState | undefined,
): DisplayState {
  if (optimistic) return optimistic;
  if (tunnel.state === 'error') return tunnel.error?.blocking ? 'blocked' : 'error';
  return tunnel.state;
}

export function wordsFor(state: DisplayState, lockedDown = false): StateWords {
  switch (state) {
    case 'disconnected':
      // Under lockdown nothing leaks while disconnected, so "not protected" would be wrong.
      return lockedDown
        ? { title: 'Disconnected', detail: 'Nothing leaves this device until you connect', tone: 'blocked' }
        : { title: 'Disconnected', detail: 'Your traffic is not protected', tone: 'unsafe' };
    case 'connecting':
      return { title: 'Connecting…', detail: 'Creating a secure connection', tone: 'pending' };
    case 'connected':
      return { title: 'Connected', detail: 'Your connection is secure', tone: 'safe' };
    case 'disconnecting':
      return { title: 'Disconnecting…', detail: 'Closing the secure connection', tone: 'pending' };
    case 'blocked':
      return { title: 'Blocked', detail: 'The tunnel failed; your traffic is blocked', tone: 'blocked' };
    case 'error':
      return { title: 'Error', detail: 'The tunnel failed; your traffic is not protected', tone: 'unsafe' };
  }
}

export function buttonsFor(state: DisplayState): ButtonModel {
  switch (state) {
    case 'disconnected':
    case 'disconnecting':
      // Connecting while a disconnect finishes is fine: the helper queues it.
      return { primary: { label: 'Connect', action: 'connect', variant: 'go' } };
    case 'connecting':
      return { primary: { label: 'Cancel', action: 'disconnect', variant: 'stop' } };
    case 'connected':
      return {
        primary: { label: 'Disconnect', action: 'disconnect', variant: 'stop' },
        secondary: { label: 'Reconnect', action: 'reconnect', variant: 'go' },
      };
    case 'blocked':
    case 'error':
      return {
        primary: { label: 'Try again', action: 'connect', variant: 'go' },
        secondary: { label: 'Disconnect', action: 'disconnect', variant: 'stop' },
      };
  }
}

/** The lockdown hint: lockdown blocks everything until connected, which is worth saying. */
export function showsLockdownHint(tunnel: TunnelStatus, state: DisplayState): boolean {
  return tunnel.lockedDown && state !== 'connected' && state !== 'blocked';
}
