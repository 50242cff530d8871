// @vitest-environment jsdom
// Settings: every setting of the list shows the helper's (or the app's) value, changes at once, sends one
// setSetting with its key, and goes back with the helper's words beside it when refused. Text settings
// are checked before anything is sent. Back and Escape return to the main view.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { defaultPreferences } from '../../src/shared/settings';
import { connectedState, deferred, fakeSluice, invokesOf, renderApp, settingsWith, settle } from './harness';

async function openSettings(
  fake = fakeSluice(connectedState()),
): Promise<Awaited<ReturnType<typeof renderApp>>> {
  const app = await renderApp(fake);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  return app;
}

const sent = (fake: ReturnType<typeof fakeSluice>): unknown[] => invokesOf(fake, 'setSetting');

/** The inline problem of the setting a control belongs to. */
function problemOf(control: HTMLElement): string {
  const slot = control.closest<HTMLElement>('[data-setting]');
  if (!slot) throw new Error('the control is not in a setting');
  return within(slot).getByRole('alert').textContent;
}

describe('settings view', () => {
  it('has a heading, focused on open, and a labelled switch with an explanation for each switch setting', async () => {
    await openSettings();
    const heading = screen.getByRole('heading', { level: 1, name: 'Settings' });
    expect(document.activeElement).toBe(heading);
    for (const name of [
      'Lockdown mode',
      'Allow LAN',
      'Auto-connect',
      'Launch on login',
      'IPv6 in the tunnel',
    ]) {
      const toggle = screen.getByRole('switch', { name });
      expect(toggle.getAttribute('aria-describedby')).toBeTruthy();
    }
    expect(screen.getByRole('switch', { name: 'IPv6 in the tunnel' }).getAttribute('aria-checked')).toBe(
      'true',
    );
    expect(screen.getByRole('switch', { name: 'Notifications' }).getAttribute('aria-checked')).toBe('true');
    const lockdownHelp = document.getElementById(
      screen.getByRole('switch', { name: 'Lockdown mode' }).getAttribute('aria-describedby') ?? '',
    );
    expect(lockdownHelp?.textContent).toMatch(/Block all internet traffic whenever Sluice is not connected/);
    expect(screen.getByText(/On its own it does not connect; that is what auto-connect does/)).toBeTruthy();
    for (const group of ['Security', 'DNS', 'Tunnel', 'Startup', 'This app', 'Relays', 'Support']) {
      expect(screen.getByRole('heading', { level: 2, name: group })).toBeTruthy();
    }
  });

  const toggles: { name: string; patch: object }[] = [
    { name: 'Lockdown mode', patch: { lockdownMode: true } },
    { name: 'Allow LAN', patch: { allowLan: true } },
    { name: 'Auto-connect', patch: { autoConnect: true } },
    { name: 'Launch on login', patch: { launchOnLogin: true } },
    { name: 'IPv6 in the tunnel', patch: { enableIpv6: false } },
    { name: 'Notifications', patch: { notifications: false } },
  ];
  for (const t of toggles) {
    it(`${t.name} sends ${JSON.stringify(t.patch)}`, async () => {
      const fake = fakeSluice(connectedState());
      const { user } = await openSettings(fake);
      const toggle = screen.getByRole('switch', { name: t.name });
      const before = toggle.getAttribute('aria-checked');
      await user.click(toggle);
      expect(sent(fake)).toEqual([t.patch]);
      expect(toggle.getAttribute('aria-checked')).not.toBe(before);
    });
  }

  it('follows the helper: a confirmed change stays, a change from elsewhere shows', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const lockdown = screen.getByRole('switch', { name: 'Lockdown mode' });
    await user.click(lockdown);
    fake.push({ settings: settingsWith((s) => (s.lockdownMode = true)) });
    expect(lockdown.getAttribute('aria-checked')).toBe('true');

    // Changed from the CLI.
    fake.push({ settings: settingsWith((s) => (s.allowLan = true)) });
    expect(screen.getByRole('switch', { name: 'Allow LAN' }).getAttribute('aria-checked')).toBe('true');
    expect(lockdown.getAttribute('aria-checked')).toBe('false');
  });

  it('flips back and shows the error beside the switch when the helper refuses', async () => {
    const fake = fakeSluice(connectedState());
    const request = deferred<undefined>();
    fake.answer('setSetting', () => request.promise);
    const { user } = await openSettings(fake);
    const lockdown = screen.getByRole('switch', { name: 'Lockdown mode' });
    await user.click(lockdown);
    expect(lockdown.getAttribute('aria-checked')).toBe('true');

    await settle(() => request.reject(new Error('permission denied: not in the sluice group')));
    expect(lockdown.getAttribute('aria-checked')).toBe('false');
    const slot = lockdown.closest('[data-setting]');
    expect(slot?.getAttribute('data-setting')).toBe('lockdownMode');
    const alert = within(slot as HTMLElement).getByRole('alert');
    expect(alert.textContent).toMatch(
      /Could not change lockdown mode: permission denied: not in the sluice group/,
    );
    await user.click(within(alert).getByRole('button', { name: 'Dismiss' }));
    expect(within(slot as HTMLElement).queryByRole('alert')).toBeNull();
  });

  it('MTU: a number in range is sent on Enter, out of range is explained and not sent, empty is automatic', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const mtu = screen.getByRole('textbox', { name: 'MTU' });
    expect((mtu as HTMLInputElement).value).toBe('');
    expect(mtu.getAttribute('placeholder')).toBe('Automatic');

    await user.type(mtu, '9000{Enter}');
    expect(mtu.getAttribute('aria-invalid')).toBe('true');
    expect(problemOf(mtu)).toMatch(/9000 is outside 1280–1420/);
    expect(sent(fake)).toEqual([]);

    await user.clear(mtu);
    await user.type(mtu, '1380{Enter}');
    expect(sent(fake)).toEqual([{ mtu: 1380 }]);
    fake.push({ settings: settingsWith((s) => (s.tunnel.mtu = 1380)) });
    await user.click(screen.getByRole('button', { name: 'Use automatic' }));
    expect(sent(fake)).toEqual([{ mtu: 1380 }, { mtu: null }]);
  });

  it('WireGuard port: a fixed port is sent when the field loses focus; letters are refused', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const port = screen.getByRole('textbox', { name: 'WireGuard port' });
    await user.type(port, 'abc');
    expect(problemOf(port)).toMatch(/whole number from 1 to 65535/);
    await user.clear(port);
    await user.type(port, '53');
    await user.tab();
    expect(sent(fake)).toEqual([{ wireguardPort: 53 }]);
  });

  it('bypass ranges: adds a checked range, refuses a bad one in words, offers Tailscale, removes', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const field = screen.getByRole('textbox', { name: 'Add a range' });
    await user.type(field, '10.0.0.1/8{Enter}');
    expect(field.getAttribute('aria-invalid')).toBe('true');
    expect(problemOf(field)).toMatch(/has host bits set/);
    expect(sent(fake)).toEqual([]);

    await user.clear(field);
    await user.type(field, '192.0.2.0/24{Enter}');
    expect(sent(fake)).toEqual([{ bypassRanges: ['192.0.2.0/24'] }]);
    fake.push({ settings: settingsWith((s) => (s.bypassRanges = ['192.0.2.0/24'])) });

    await user.click(screen.getByRole('button', { name: '+ Tailscale (100.64.0.0/10)' }));
    expect(sent(fake).at(-1)).toEqual({ bypassRanges: ['192.0.2.0/24', '100.64.0.0/10'] });
    fake.push({ settings: settingsWith((s) => (s.bypassRanges = ['192.0.2.0/24', '100.64.0.0/10'])) });
    expect(screen.queryByRole('button', { name: /Tailscale/ })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Remove range 192.0.2.0/24' }));
    expect(sent(fake).at(-1)).toEqual({ bypassRanges: ['100.64.0.0/10'] });
  });

  it('custom DNS: on shows the field, the first server turns it on, the last one removed turns it off', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const toggle = screen.getByRole('switch', { name: 'Custom DNS servers' });
    expect(toggle.getAttribute('aria-checked')).toBe('false');
    await user.click(toggle);
    // Nothing to send yet: custom DNS needs a server.
    expect(sent(fake)).toEqual([]);
    const field = screen.getByRole('textbox', { name: 'Add a DNS server' });
    await user.type(field, '127.0.0.1{Enter}');
    expect(problemOf(field)).toMatch(/loopback/);
    await user.clear(field);
    await user.type(field, '9.9.9.9{Enter}');
    expect(sent(fake)).toEqual([{ dns: { mode: 'custom', customServers: ['9.9.9.9'] } }]);
    fake.push({ settings: settingsWith((s) => (s.dns = { mode: 'custom', customServers: ['9.9.9.9'] })) });
    expect(toggle.getAttribute('aria-checked')).toBe('true');

    await user.click(screen.getByRole('button', { name: 'Remove DNS server 9.9.9.9' }));
    expect(sent(fake).at(-1)).toEqual({ dns: { mode: 'default', customServers: [] } });
  });

  it('tray icon style is a choice of two, sent as trayStyle', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    const group = screen.getByRole('radiogroup', { name: 'Tray icon' });
    expect(within(group).getByRole<HTMLInputElement>('radio', { name: 'Colour' }).checked).toBe(true);
    await user.click(within(group).getByRole('radio', { name: 'Monochrome' }));
    expect(sent(fake)).toEqual([{ trayStyle: 'monochrome' }]);
    fake.push({ preferences: { ...defaultPreferences, trayStyle: 'monochrome' } });
    expect(within(group).getByRole<HTMLInputElement>('radio', { name: 'Monochrome' }).checked).toBe(true);
  });

  it('works from the keyboard: Space toggles, Escape goes back to the Settings button', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Back' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('switch', { name: 'Lockdown mode' }));
    await user.keyboard(' ');
    expect(sent(fake)).toEqual([{ lockdownMode: true }]);
    await user.tab();
    await user.keyboard('{Enter}');
    expect(sent(fake)).toEqual([{ lockdownMode: true }, { allowLan: true }]);

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('heading', { name: 'Settings' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Settings' }));
  });

  it('goes back with the Back button', async () => {
    const { user } = await openSettings();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Sluice' })).toBeTruthy();
  });

  it("disables the helper's controls until the helper has sent its settings; the app's own work", async () => {
    const fake = fakeSluice({
      ...connectedState(),
      settings: undefined,
      preferences: { ...defaultPreferences, launchOnLogin: true },
    });
    await openSettings(fake);
    expect(screen.getByRole<HTMLButtonElement>('switch', { name: 'Lockdown mode' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'MTU' }).disabled).toBe(true);
    const launch = screen.getByRole<HTMLButtonElement>('switch', { name: 'Launch on login' });
    expect(launch.disabled).toBe(false);
    expect(launch.getAttribute('aria-checked')).toBe('true');
  });
});

describe('a user the helper would refuse', () => {
  const readOnly = (): ReturnType<typeof fakeSluice> =>
    fakeSluice({
      ...connectedState(),
      helper: {
        kind: 'connected',
        version: '0.1.0',
        control: {
          allowed: false,
          reason: 'changes need root or membership of group "sluice" (you are uid 1000)',
        },
      },
    });

  it("says why once, disables the helper's controls, and leaves the app's own", async () => {
    const fake = readOnly();
    await openSettings(fake);
    expect(screen.getByRole('note', { name: 'Read only' }).textContent).toBe(
      'Read only. You can see everything here, but changes need root or membership of group "sluice" (you are uid 1000).',
    );
    for (const name of [
      'Lockdown mode',
      'Allow LAN',
      'Custom DNS servers',
      'IPv6 in the tunnel',
      'Auto-connect',
    ])
      expect(screen.getByRole<HTMLButtonElement>('switch', { name }).disabled, name).toBe(true);
    expect(screen.getByRole<HTMLInputElement>('textbox', { name: 'MTU' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Choose files…' }).disabled).toBe(true);
    expect(screen.getByRole<HTMLButtonElement>('switch', { name: 'Launch on login' }).disabled).toBe(false);
    expect(screen.getByRole<HTMLButtonElement>('switch', { name: 'Notifications' }).disabled).toBe(false);
  });

  it('cannot connect from the main view, and sees why', async () => {
    await renderApp(readOnly());
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Connect' }).disabled).toBe(true);
    expect(screen.getByRole('note', { name: 'Read only' })).toBeTruthy();
  });
});

describe('import', () => {
  it('opens the dialog through the trusted side and shows what was imported and the warnings', async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('importFiles', () =>
      Promise.resolve({
        files: ['ch-zrh-wg-001.conf', 'us-nyc-wg-002.conf'],
        relaysImported: 2,
        identityImported: true,
        warnings: ['us-nyc-wg-002.conf: PersistentKeepalive is not used'],
      }),
    );
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole('button', { name: 'Choose files…' }));
    expect(invokesOf(fake, 'importFiles')).toEqual([{}]);
    expect(
      screen.getByText(/Imported 2 relays and the identity from ch-zrh-wg-001.conf, us-nyc-wg-002.conf/),
    ).toBeTruthy();
    expect(
      within(screen.getByRole('list', { name: 'Import warnings' })).getByText(/PersistentKeepalive/),
    ).toBeTruthy();
  });

  it("shows the helper's error with the file and line, and that nothing was imported", async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('importFiles', () =>
      Promise.reject(new Error('se.conf: line 4: PublicKey is not a WireGuard key')),
    );
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole('button', { name: 'Choose files…' }));
    expect(screen.getByText(/^Nothing was imported/).textContent).toBe(
      'Nothing was imported: se.conf: line 4: PublicKey is not a WireGuard key',
    );
  });

  it('a cancelled dialog changes nothing', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    await user.click(screen.getByRole('button', { name: 'Choose files…' }));
    expect(screen.queryByText(/Imported/)).toBeNull();
    expect(screen.queryByText(/Nothing was imported/)).toBeNull();
  });
});
