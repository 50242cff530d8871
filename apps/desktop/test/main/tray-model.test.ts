// The tray's menu model, status line and tooltip for every tunnel and helper state.
import { describe, expect, it } from 'vitest';
import { trayIconState } from '../../src/main/tray-icons.js';
import {
  relayLocation,
  statusLine,
  trayMenuModel,
  trayTooltip,
  trayView,
  type TrayMenuItem,
} from '../../src/main/tray-model.js';
import {
  blockedError,
  connected,
  connecting,
  disconnected,
  disconnecting,
  helperDown,
  lockedDown,
  openError,
  relay,
  relayList,
} from './fixtures.js';

function enabledActions(items: TrayMenuItem[]): Record<string, boolean> {
  return Object.fromEntries(
    items.flatMap((item) => (item.kind === 'action' ? [[item.action, item.enabled]] : [])),
  );
}

describe('tray menu model', () => {
  it('has the status line, Connect, Reconnect, Disconnect, Show window and Quit in that order', () => {
    const items = trayMenuModel(disconnected);
    expect(items.map((item) => (item.kind === 'separator' ? '-' : item.label))).toEqual([
      'Disconnected',
      '-',
      'Connect',
      'Reconnect',
      'Disconnect',
      '-',
      'Show window',
      'Quit',
    ]);
    expect(items[0]).toEqual({ kind: 'status', label: 'Disconnected' });
  });

  it.each([
    ['disconnected', disconnected, { connect: true, reconnect: false, disconnect: false }],
    ['connecting', connecting, { connect: false, reconnect: true, disconnect: true }],
    ['connected', connected, { connect: false, reconnect: true, disconnect: true }],
    ['disconnecting', disconnecting, { connect: false, reconnect: false, disconnect: false }],
    ['blocked error', blockedError, { connect: false, reconnect: true, disconnect: true }],
    ['open error', openError, { connect: false, reconnect: true, disconnect: true }],
    ['locked down', lockedDown, { connect: true, reconnect: false, disconnect: false }],
    ['helper not running', helperDown, { connect: false, reconnect: false, disconnect: false }],
  ])('enables the right tunnel actions when %s', (_name, state, expected) => {
    expect(enabledActions(trayMenuModel(state))).toEqual({ ...expected, 'show-window': true, quit: true });
  });

  it('says where it is connected, by name from the relay list', () => {
    expect(statusLine(connected)).toBe('Connected to Gothenburg, Sweden');
    expect(statusLine(connecting)).toBe('Connecting to Gothenburg, Sweden…');
    expect(trayTooltip(connected)).toBe('Sluice: Connected to Gothenburg, Sweden');
  });

  it('falls back to the codes, then the hostname, when the relay list does not know the relay', () => {
    expect(relayLocation(relay, undefined)).toBe('GOT, SE');
    expect(relayLocation({ ...relay, city: '', country: '' }, relayList)).toBe('se-got-wg-001');
  });

  it('says why traffic is blocked, and that the helper is not running', () => {
    expect(statusLine(blockedError)).toBe('Blocked: the relay does not answer');
    expect(statusLine(openError)).toBe('Error: nft failed');
    expect(statusLine(lockedDown)).toBe('Disconnected, traffic blocked (lockdown mode)');
    expect(statusLine(helperDown)).toBe('The Sluice helper is not running');
    expect(
      statusLine({ ...helperDown, helper: { kind: 'untrusted', socketPath: '/x', message: 'owner 1000' } }),
    ).toBe('Refusing an untrusted helper socket');
  });

  it('keeps long helper messages to one short line', () => {
    const long = {
      ...blockedError,
      tunnel: {
        ...blockedError.tunnel,
        error: { cause: 'dns' as const, message: 'x\n'.repeat(80), blocking: true },
      },
    };
    const status = trayMenuModel(long)[0];
    expect(status?.kind === 'status' && status.label.length).toBeLessThanOrEqual(64);
    expect(status?.kind === 'status' && status.label).not.toContain('\n');
  });
});

describe('tray view', () => {
  it('does not change when only the live statistics do', () => {
    const later = {
      ...connected,
      tunnel: {
        ...connected.tunnel,
        tunnel: { interface: 'wg-sluice', mtu: 1380, rxBytes: 999, txBytes: 888, lastHandshakeAgeMs: 5 },
      },
    };
    expect(trayView(later, 'dark')).toEqual(trayView(connected, 'dark'));
  });

  it.each([
    [disconnected, 'disconnected'],
    [connecting, 'connecting'],
    [disconnecting, 'connecting'],
    [connected, 'connected'],
    [blockedError, 'blocked'],
    [lockedDown, 'blocked'],
    [openError, 'disconnected'],
    [helperDown, 'disconnected'],
  ] as const)('shows the %# state icon %s', (state, icon) => {
    expect(trayIconState(state)).toBe(icon);
    expect(trayView(state, 'light').icon).toBe(icon);
  });
});
