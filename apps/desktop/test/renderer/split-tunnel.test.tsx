// @vitest-environment jsdom
// The split-tunnel view: reached from settings; the switch shows the helper's state and asks for the
// change; the mechanism (or why it cannot work) in words; app rules and excluded processes listed live,
// each with a way to put it back; a refused request shows the helper's words.
import { screen, within } from '@testing-library/react';
import type { SplitTunnelStatus } from '@sluice/api/domain';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InstalledAppView } from '../../src/shared/ipc';
import { connectedState, fakeSluice, invokesOf, renderApp, settle } from './harness';

const on: SplitTunnelStatus = {
  enabled: true,
  mechanism: 'cgroup2',
  detail: 'cgroup v2 only (at /sys/fs/cgroup)',
  apps: ['/usr/bin/transmission-gtk'],
  processes: [{ pid: 4242, command: '/usr/lib/firefox/firefox --new-window' }],
};

async function openSplitTunnel(splitTunnel: SplitTunnelStatus | undefined) {
  const fake = fakeSluice(connectedState({ splitTunnel }));
  const app = await renderApp(fake);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  await app.user.click(screen.getByRole('button', { name: /^Split tunnelling/ }));
  return { fake, ...app };
}

describe('split tunnelling view', () => {
  it('shows the state, the mechanism, the app rules and the processes outside the tunnel', async () => {
    await openSplitTunnel(on);
    expect(screen.getByRole('heading', { level: 1, name: 'Split tunnelling' })).toBeTruthy();
    const toggle = screen.getByRole('switch', { name: 'Split tunnelling' });
    expect(toggle.getAttribute('aria-checked')).toBe('true');
    expect(screen.getByText(/as if Sluice were not running \(enforced with cgroup v2\)/)).toBeTruthy();
    const apps = screen.getByRole('list', { name: 'Programs always excluded' });
    expect(within(apps).getByText('/usr/bin/transmission-gtk')).toBeTruthy();
    const processes = screen.getByRole('list', { name: 'Processes outside the tunnel' });
    expect(within(processes).getByText(/--new-window/)).toBeTruthy();
  });

  it('the switch, Remove and Put back each ask the helper through their own channel', async () => {
    const { fake, user } = await openSplitTunnel(on);
    await user.click(screen.getByRole('switch', { name: 'Split tunnelling' }));
    await user.click(screen.getByRole('button', { name: 'Stop excluding /usr/bin/transmission-gtk' }));
    await user.click(screen.getByRole('button', { name: 'Put process 4242 back in the tunnel' }));
    await settle(() => undefined);
    expect(invokesOf(fake, 'setSplitTunnelEnabled')).toEqual([{ enabled: false }]);
    expect(invokesOf(fake, 'removeSplitTunnelApp')).toEqual([{ path: '/usr/bin/transmission-gtk' }]);
    expect(invokesOf(fake, 'removeSplitTunnelProcess')).toEqual([{ pid: 4242 }]);
  });

  it('follows the helper live, and says why it cannot work when it is unavailable', async () => {
    const { fake } = await openSplitTunnel({ ...on, enabled: false, apps: [], processes: [] });
    expect(screen.getByText('No processes.')).toBeTruthy();
    fake.push({ splitTunnel: { ...on, processes: [{ pid: 7, command: 'curl example.org' }] } });
    expect(screen.getByText(/curl example.org/)).toBeTruthy();
    fake.push({
      splitTunnel: {
        ...on,
        enabled: false,
        mechanism: 'unavailable',
        detail: 'no cgroup v2 hierarchy is mounted',
      },
    });
    expect(screen.getByText(/cannot work on this system: no cgroup v2 hierarchy is mounted/)).toBeTruthy();
    expect(screen.getByRole('switch', { name: 'Split tunnelling' })).toHaveProperty('disabled', true);
  });

  it("a refused request shows the helper's words", async () => {
    const fake = fakeSluice(connectedState({ splitTunnel: on }));
    fake.answer('removeSplitTunnelProcess', () => Promise.reject(new Error('process 4242 is not excluded')));
    const app = await renderApp(fake);
    await app.user.click(screen.getByRole('button', { name: 'Settings' }));
    await app.user.click(screen.getByRole('button', { name: /^Split tunnelling/ }));
    await app.user.click(screen.getByRole('button', { name: 'Put process 4242 back in the tunnel' }));
    await settle(() => undefined);
    expect(screen.getByRole('alert').textContent).toContain(
      'Putting process 4242 back in the tunnel: process 4242 is not excluded',
    );
  });
});

describe('app-exclusion picker', () => {
  const installed: InstalledAppView[] = [
    {
      id: 'org.gnome.Calculator.desktop',
      name: 'Calculator',
      comment: 'Perform calculations',
      executable: '/usr/bin/gnome-calculator',
      source: 'system',
      singleInstance: false,
    },
    {
      id: 'firefox-esr.desktop',
      name: 'Firefox ESR',
      comment: 'Browse the World Wide Web',
      executable: '/usr/bin/firefox-esr',
      source: 'system',
      singleInstance: true,
      icon: 'data:image/png;base64,iVBORw0KGgo=',
    },
    {
      id: 'transmission-gtk.desktop',
      name: 'Transmission',
      comment: 'Download and share files over BitTorrent',
      executable: '/usr/bin/transmission-gtk',
      source: 'system',
      singleInstance: false,
    },
    {
      id: 'org.signal.Signal.desktop',
      name: 'Signal',
      comment: 'Private messenger',
      executable: '/usr/bin/flatpak',
      source: 'flatpak',
      singleInstance: false,
    },
  ];

  // jsdom lays nothing out: give the virtualized list's scroller a size so it renders rows.
  beforeAll(() => {
    Object.defineProperty(HTMLElement.prototype, 'clientHeight', { configurable: true, get: () => 600 });
    Object.defineProperty(HTMLElement.prototype, 'clientWidth', { configurable: true, get: () => 400 });
  });
  afterAll(() => {
    Reflect.deleteProperty(HTMLElement.prototype, 'clientHeight');
    Reflect.deleteProperty(HTMLElement.prototype, 'clientWidth');
  });

  async function openPicker(status: SplitTunnelStatus = on) {
    const fake = fakeSluice(connectedState({ splitTunnel: status }));
    fake.answer('listInstalledApps', () => Promise.resolve(installed));
    const app = await renderApp(fake);
    await app.user.click(screen.getByRole('button', { name: 'Settings' }));
    await app.user.click(screen.getByRole('button', { name: /^Split tunnelling/ }));
    await settle(() => undefined);
    return { fake, ...app };
  }

  const rows = (): string[] =>
    within(screen.getByRole('list', { name: 'Installed programs' }))
      .getAllByRole('listitem')
      .map((row) => row.getAttribute('aria-label') ?? '');

  it('lists the installed apps, with their icons and a warning for apps that hand off to a running copy', async () => {
    await openPicker();
    expect(rows()).toEqual(['Calculator', 'Firefox ESR', 'Transmission', 'Signal']);
    const firefox = screen.getByRole('listitem', { name: 'Firefox ESR' });
    expect(within(firefox).getByText(/close it first/)).toBeTruthy();
    expect(firefox.querySelector('img')?.getAttribute('src')).toMatch(/^data:image\/png/);
    expect(
      within(screen.getByRole('listitem', { name: 'Calculator' })).queryByText(/close it first/),
    ).toBeNull();
  });

  it('searches as you type, by name, comment or program, ignoring case and accents', async () => {
    const { user } = await openPicker();
    const search = screen.getByRole('searchbox', { name: 'Search installed programs' });
    await user.type(search, 'SHARE');
    expect(rows()).toEqual(['Transmission']);
    await user.clear(search);
    await user.type(search, 'calc');
    expect(rows()).toEqual(['Calculator']);
    await user.clear(search);
    await user.type(search, 'mèssenger');
    expect(rows()).toEqual(['Signal']);
    await user.clear(search);
    await user.type(search, 'zzz');
    expect(screen.getByText(/No program matches “zzz”/)).toBeTruthy();
  });

  it('Launch excluded names the app by its ID, and says whether it started or why not', async () => {
    const { fake, user } = await openPicker();
    fake.answer('launchExcluded', (request) =>
      JSON.stringify(request).includes('firefox')
        ? Promise.reject(new Error('sluice-exclude: split tunnelling is off'))
        : Promise.resolve(undefined),
    );
    await user.click(screen.getByRole('button', { name: 'Launch Calculator excluded' }));
    expect(invokesOf(fake, 'launchExcluded')).toEqual([{ id: 'org.gnome.Calculator.desktop' }]);
    expect(
      within(screen.getByRole('listitem', { name: 'Calculator' })).getByText('Started outside the tunnel.'),
    ).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Launch Firefox ESR excluded' }));
    expect(
      within(screen.getByRole('listitem', { name: 'Firefox ESR' })).getByRole('alert').textContent,
    ).toMatch(/Could not start it: sluice-exclude: split tunnelling is off/);
  });

  it('Always exclude adds an app rule by the executable; an app with a rule says so', async () => {
    const { fake, user } = await openPicker();
    expect(
      screen.getByRole<HTMLButtonElement>('button', { name: 'Transmission is always excluded' }).disabled,
    ).toBe(true);
    await user.click(screen.getByRole('button', { name: 'Always exclude Calculator' }));
    expect(invokesOf(fake, 'addSplitTunnelApp')).toEqual([{ path: '/usr/bin/gnome-calculator' }]);
  });

  it('with split tunnelling off, launching is disabled and the view says why', async () => {
    await openPicker({ ...on, enabled: false, processes: [] });
    expect(screen.getByText('Turn split tunnelling on to launch programs outside the tunnel.')).toBeTruthy();
    expect(
      screen.getByRole<HTMLButtonElement>('button', { name: 'Launch Calculator excluded' }).disabled,
    ).toBe(true);
  });

  it('Browse adds the chosen program first in the list, or says why the file is no program', async () => {
    const { fake, user } = await openPicker();
    fake.answer('chooseProgram', () =>
      Promise.resolve({
        id: 'program:/opt/tool/bin/tool',
        name: 'tool',
        executable: '/opt/tool/bin/tool',
        source: 'user',
        singleInstance: false,
      }),
    );
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    expect(rows()[0]).toBe('tool');
    fake.answer('chooseProgram', () =>
      Promise.reject(new Error('/tmp/notes.txt is not a program you may run')),
    );
    await user.click(screen.getByRole('button', { name: 'Browse…' }));
    expect(screen.getByText('/tmp/notes.txt is not a program you may run')).toBeTruthy();
  });

  it('says when the installed apps cannot be read', async () => {
    const fake = fakeSluice(connectedState({ splitTunnel: on }));
    fake.answer('listInstalledApps', () => Promise.reject(new Error('EACCES: /usr/share/applications')));
    const app = await renderApp(fake);
    await app.user.click(screen.getByRole('button', { name: 'Settings' }));
    await app.user.click(screen.getByRole('button', { name: /^Split tunnelling/ }));
    await settle(() => undefined);
    expect(screen.getByText(/The installed programs could not be read: EACCES/)).toBeTruthy();
  });
});
