// Whether the desktop has a tray: the pure decision over its facts, and the D-Bus probe's parsing.
import { describe, expect, it } from 'vitest';
import {
  decideTrayAvailable,
  parseNameHasOwnerReply,
  probeStatusNotifierWatcher,
  STATUS_NOTIFIER_WATCHER,
  type TrayFacts,
} from '../../src/main/tray-support.js';

const linux: TrayFacts = {
  platform: 'linux',
  override: undefined,
  trayCreated: true,
  watcherPresent: true,
  currentDesktop: 'KDE',
};

describe('tray availability', () => {
  it('is there on Linux when a StatusNotifierWatcher runs', () => {
    expect(decideTrayAvailable(linux)).toBe(true);
  });

  it('is not there on GNOME without the AppIndicator extension', () => {
    expect(decideTrayAvailable({ ...linux, currentDesktop: 'ubuntu:GNOME', watcherPresent: false })).toBe(
      false,
    );
  });

  it('believes the bus over the desktop name', () => {
    expect(decideTrayAvailable({ ...linux, currentDesktop: 'GNOME', watcherPresent: true })).toBe(true);
    expect(decideTrayAvailable({ ...linux, currentDesktop: 'KDE', watcherPresent: false })).toBe(false);
  });

  it('guesses from the desktop when the bus could not be asked', () => {
    expect(decideTrayAvailable({ ...linux, watcherPresent: undefined, currentDesktop: 'GNOME' })).toBe(false);
    expect(decideTrayAvailable({ ...linux, watcherPresent: undefined, currentDesktop: 'XFCE' })).toBe(true);
    expect(decideTrayAvailable({ ...linux, watcherPresent: undefined, currentDesktop: undefined })).toBe(
      true,
    );
  });

  it('is not there when the tray could not be created', () => {
    expect(decideTrayAvailable({ ...linux, trayCreated: false })).toBe(false);
    expect(decideTrayAvailable({ ...linux, platform: 'win32', trayCreated: false })).toBe(false);
  });

  it('is always there on macOS and Windows once created', () => {
    expect(
      decideTrayAvailable({
        ...linux,
        platform: 'darwin',
        watcherPresent: undefined,
        currentDesktop: undefined,
      }),
    ).toBe(true);
  });

  it('follows SLUICE_TRAY over everything', () => {
    expect(decideTrayAvailable({ ...linux, override: 'off' })).toBe(false);
    expect(decideTrayAvailable({ ...linux, override: '0' })).toBe(false);
    expect(decideTrayAvailable({ ...linux, trayCreated: false, override: 'on' })).toBe(true);
    expect(decideTrayAvailable({ ...linux, override: 'maybe' })).toBe(true);
  });
});

describe('D-Bus probe', () => {
  it('reads dbus-send and gdbus replies', () => {
    expect(
      parseNameHasOwnerReply(
        'dbus-send',
        'method return time=1 sender=org.freedesktop.DBus\n   boolean true\n',
      ),
    ).toBe(true);
    expect(parseNameHasOwnerReply('dbus-send', '   boolean false\n')).toBe(false);
    expect(parseNameHasOwnerReply('gdbus', '(true,)\n')).toBe(true);
    expect(parseNameHasOwnerReply('gdbus', '(false,)\n')).toBe(false);
    expect(parseNameHasOwnerReply('gdbus', 'Error: no bus\n')).toBeUndefined();
  });

  it('asks for the StatusNotifierWatcher name with an argv, trying gdbus when dbus-send is missing', async () => {
    const calls: string[][] = [];
    const answer = await probeStatusNotifierWatcher((file, args) => {
      calls.push([file, ...args]);
      return file === 'dbus-send' ? Promise.reject(new Error('ENOENT')) : Promise.resolve('(true,)\n');
    });
    expect(answer).toBe(true);
    expect(calls.map((call) => call[0])).toEqual(['dbus-send', 'gdbus']);
    expect(calls[0]).toContain(`string:${STATUS_NOTIFIER_WATCHER}`);
    expect(calls[1]?.at(-1)).toBe(STATUS_NOTIFIER_WATCHER);
  });

  it('says it does not know when no tool answers', async () => {
    await expect(
      probeStatusNotifierWatcher(() => Promise.reject(new Error('no session bus'))),
    ).resolves.toBeUndefined();
  });
});
