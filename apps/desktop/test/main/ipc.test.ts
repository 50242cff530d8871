// The one IPC schema: every payload is parsed on the trusted side, with a message that names what was
// wrong; a parsed request keeps its own channel's type (the backend's handlers need no casts).
import { describe, expect, it } from 'vitest';
import { DesktopBackend } from '../../src/main/backend.js';
import { parseInvoke, requests } from '../../src/shared/ipc.js';

describe('parseInvoke', () => {
  it('accepts each split-tunnel request in its own shape', () => {
    expect(parseInvoke('setSplitTunnelEnabled', { enabled: true })).toEqual({
      channel: 'setSplitTunnelEnabled',
      request: { enabled: true },
    });
    expect(parseInvoke('addSplitTunnelApp', { path: '/usr/bin/firefox' }).request).toEqual({
      path: '/usr/bin/firefox',
    });
    expect(parseInvoke('removeSplitTunnelProcess', { pid: 4242 }).request).toEqual({ pid: 4242 });
  });

  it('refuses unknown channels, extra fields, relative paths and impossible pids, saying which', () => {
    expect(() => parseInvoke('runShell', {})).toThrow('unknown request "runShell"');
    expect(() => parseInvoke('__proto__', {})).toThrow('unknown request');
    expect(() => parseInvoke('addSplitTunnelApp', { path: 'firefox' })).toThrow(/^addSplitTunnelApp: path: /);
    expect(() => parseInvoke('addSplitTunnelApp', { path: '/x', extra: 1 })).toThrow(/^addSplitTunnelApp: /);
    expect(() => parseInvoke('removeSplitTunnelProcess', { pid: 0 })).toThrow(
      /^removeSplitTunnelProcess: pid: /,
    );
    expect(() => parseInvoke('removeSplitTunnelProcess', { pid: 1.5 })).toThrow(/pid/);
    expect(() => parseInvoke('setSplitTunnelEnabled', { enabled: 'yes' })).toThrow(/enabled/);
  });

  it("takes one setting per setSetting, checked by that setting's own schema", () => {
    expect(parseInvoke('setSetting', { mtu: 1380 }).request).toEqual({ mtu: 1380 });
    expect(parseInvoke('setSetting', { mtu: null }).request).toEqual({ mtu: null });
    expect(parseInvoke('setSetting', { trayStyle: 'monochrome' }).request).toEqual({
      trayStyle: 'monochrome',
    });
    expect(() => parseInvoke('setSetting', { mtu: 1000 })).toThrow(/^setSetting: mtu: /);
    expect(() => parseInvoke('setSetting', { trayStyle: 'neon' })).toThrow(/^setSetting: trayStyle: /);
    expect(() => parseInvoke('setSetting', { dns: { mode: 'custom', customServers: [], extra: 1 } })).toThrow(
      /^setSetting: dns: /,
    );
    expect(() => parseInvoke('setSetting', { lockdownMode: true, allowLan: true })).toThrow(/one at a time/);
    expect(() => parseInvoke('setSetting', {})).toThrow(/0 settings given/);
    expect(() => parseInvoke('setSetting', { shell: 'rm -rf /' })).toThrow(
      /shell: unknown setting; one of lockdownMode/,
    );
  });

  it('every channel has a schema that refuses a non-object', () => {
    for (const channel of Object.keys(requests)) expect(() => parseInvoke(channel, 'x')).toThrow(channel);
  });
});

describe('the backend: installed apps and launching one outside the tunnel', () => {
  const firefox = {
    id: 'firefox.desktop',
    name: 'Firefox',
    executable: '/usr/bin/firefox',
    source: 'system' as const,
    singleInstance: true,
    exec: ['/usr/bin/firefox', '--new-window'],
  };

  it('lists apps without their commands, and launches only a listed one, by ID', async () => {
    const launched: string[][] = [];
    const backend = new DesktopBackend({
      socketPath: '/nonexistent/sluice.sock',
      launchOnLogin: { get: () => false, set: () => Promise.resolve() },
      trayAvailable: true,
      apps: {
        list: () => Promise.resolve([firefox]),
        describe: () => Promise.reject(new Error('not used here')),
        launchExcluded: (argv) => {
          launched.push(argv);
          return Promise.resolve();
        },
      },
    });
    try {
      await expect(backend.handle('launchExcluded', { id: 'firefox.desktop' })).rejects.toThrow(
        'firefox.desktop is not in the list of installed apps; open the list again',
      );
      const apps = await backend.handle('listInstalledApps', {});
      expect(apps).toEqual([
        {
          id: 'firefox.desktop',
          name: 'Firefox',
          executable: '/usr/bin/firefox',
          source: 'system',
          singleInstance: true,
        },
      ]);
      await backend.handle('launchExcluded', { id: 'firefox.desktop' });
      expect(launched).toEqual([['/usr/bin/firefox', '--new-window']]);
      // The renderer cannot name a command: only an ID, which must be one that was listed.
      await expect(backend.handle('launchExcluded', { id: 'firefox.desktop', argv: ['sh'] })).rejects.toThrow(
        /^launchExcluded: /,
      );
    } finally {
      backend.stop();
    }
  });
});
