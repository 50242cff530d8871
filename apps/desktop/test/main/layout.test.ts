// Where main finds its pieces, the helper socket from the environment, and the login start flag.
import { describe, expect, it } from 'vitest';
import { HIDDEN_FLAG } from '../../src/main/autostart.js';
import { appLayout, DEFAULT_SOCKET, socketPathFrom, startHiddenFrom } from '../../src/main/layout.js';

describe('app layout', () => {
  it('finds the renderer, preload and icons beside dist/main, inside app.asar too', () => {
    expect(appLayout('/opt/Sluice/resources/app.asar/dist/main')).toEqual({
      rendererIndex: '/opt/Sluice/resources/app.asar/dist/renderer/index.html',
      rendererDir: '/opt/Sluice/resources/app.asar/dist/renderer',
      preload: '/opt/Sluice/resources/app.asar/dist/preload/preload.cjs',
      trayIconDir: '/opt/Sluice/resources/app.asar/dist/icons/tray',
      appIcon: '/opt/Sluice/resources/app.asar/dist/icons/app.png',
    });
  });
});

describe('configuration', () => {
  it('uses SLUICE_SOCKET when set, else the system helper', () => {
    expect(socketPathFrom({ SLUICE_SOCKET: '/tmp/lab/sluice.sock' })).toBe('/tmp/lab/sluice.sock');
    expect(socketPathFrom({ SLUICE_SOCKET: '  ' })).toBe(DEFAULT_SOCKET);
    expect(socketPathFrom({})).toBe('/run/sluice/daemon.sock');
  });

  it('starts hidden when the autostart entry says so', () => {
    expect(startHiddenFrom(['/opt/Sluice/sluice', HIDDEN_FLAG])).toBe(true);
    expect(startHiddenFrom(['/opt/Sluice/sluice'])).toBe(false);
  });
});
