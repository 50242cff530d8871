// The tray's words and menu for a given app state: status line, tooltip, and which actions are
// enabled. Pure; tray.ts turns the model into Electron's Menu.
import type { RelayList, TunnelStatus } from '@sluice/api/domain';
import type { AppState } from '../shared/ipc.js';
import type { TrayStyle } from '../shared/settings.js';
import { trayIconState, type TrayIconState, type TrayTheme } from './tray-icons.js';

export type TrayAction = 'connect' | 'reconnect' | 'disconnect' | 'show-window' | 'quit';

export type TrayMenuItem =
  | { kind: 'status'; label: string }
  | { kind: 'action'; action: TrayAction; label: string; enabled: boolean }
  | { kind: 'separator' };

type Relay = NonNullable<TunnelStatus['relay']>;

/** "Gothenburg, Sweden" from the relay list's names, falling back to the codes the helper reports. */
export function relayLocation(relay: Relay, relayList: RelayList | undefined): string {
  const country = relayList?.countries.find((c) => c.code.toLowerCase() === relay.country.toLowerCase());
  const city = country?.cities.find((c) => c.code.toLowerCase() === relay.city.toLowerCase());
  const cityName = city?.name ?? relay.city.toUpperCase();
  const countryName = country?.name ?? relay.country.toUpperCase();
  const place = [cityName, countryName].filter((part) => part.length > 0).join(', ');
  return place.length > 0 ? place : relay.hostname;
}

// Menu labels and tooltips are one line on every desktop; long helper messages are cut.
function shorten(text: string, max = 64): string {
  const line = text.replace(/\s+/g, ' ').trim();
  return line.length <= max ? line : `${line.slice(0, max - 1)}…`;
}

/** One line saying what the app is doing, for the menu's status item and the tooltip. */
export function statusLine(state: Pick<AppState, 'helper' | 'tunnel' | 'relayList'>): string {
  const { helper, tunnel } = state;
  switch (helper.kind) {
    case 'connecting':
      return 'Reaching the Sluice helper…';
    case 'unreachable':
      return 'The Sluice helper is not running';
    case 'untrusted':
      return 'Refusing an untrusted helper socket';
    case 'connected':
      break;
  }
  const where = tunnel.relay ? relayLocation(tunnel.relay, state.relayList) : undefined;
  switch (tunnel.state) {
    case 'connected':
      return where ? `Connected to ${where}` : 'Connected';
    case 'connecting':
      return where ? `Connecting to ${where}…` : 'Connecting…';
    case 'disconnecting':
      return 'Disconnecting…';
    case 'error': {
      const message = tunnel.error?.message ?? 'unknown error';
      return shorten(tunnel.error?.blocking === true ? `Blocked: ${message}` : `Error: ${message}`);
    }
    case 'disconnected':
      return tunnel.lockedDown ? 'Disconnected, traffic blocked (lockdown mode)' : 'Disconnected';
  }
}

export function trayTooltip(state: Pick<AppState, 'helper' | 'tunnel' | 'relayList'>): string {
  return `Sluice: ${statusLine(state)}`;
}

/** Which tunnel actions make sense now. Nothing can be asked of a helper the app cannot reach. */
export function enabledActions(
  state: Pick<AppState, 'helper' | 'tunnel'>,
): Record<'connect' | 'reconnect' | 'disconnect', boolean> {
  if (state.helper.kind !== 'connected') return { connect: false, reconnect: false, disconnect: false };
  switch (state.tunnel.state) {
    case 'disconnected':
      return { connect: true, reconnect: false, disconnect: false };
    case 'connecting':
    case 'connected':
      return { connect: false, reconnect: true, disconnect: true };
    // From an error, "Reconnect" tries again and "Disconnect" leaves the (possibly blocking) error state.
    case 'error':
      return { connect: false, reconnect: true, disconnect: true };
    case 'disconnecting':
      return { connect: false, reconnect: false, disconnect: false };
  }
}

export function trayMenuModel(state: Pick<AppState, 'helper' | 'tunnel' | 'relayList'>): TrayMenuItem[] {
  const enabled = enabledActions(state);
  return [
    { kind: 'status', label: shorten(statusLine(state)) },
    { kind: 'separator' },
    { kind: 'action', action: 'connect', label: 'Connect', enabled: enabled.connect },
    { kind: 'action', action: 'reconnect', label: 'Reconnect', enabled: enabled.reconnect },
    { kind: 'action', action: 'disconnect', label: 'Disconnect', enabled: enabled.disconnect },
    { kind: 'separator' },
    { kind: 'action', action: 'show-window', label: 'Show window', enabled: true },
    { kind: 'action', action: 'quit', label: 'Quit', enabled: true },
  ];
}

export interface TrayView {
  icon: TrayIconState;
  theme: TrayTheme;
  style: TrayStyle;
  tooltip: string;
  menu: TrayMenuItem[];
}

/** Everything the tray shows for a state. Stats-only changes give an equal view. */
export function trayView(
  state: Pick<AppState, 'helper' | 'tunnel' | 'relayList'>,
  theme: TrayTheme,
  style: TrayStyle = 'colour',
): TrayView {
  return {
    icon: trayIconState(state),
    theme,
    style,
    tooltip: trayTooltip(state),
    menu: trayMenuModel(state),
  };
}
