// @vitest-environment jsdom
// Settings: each switch shows the helper's value, flips at once, calls its own channel, and flips back
// with the helper's error when refused. Back and Escape return to the main view.
import { screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import type { Channel } from '../../src/shared/ipc';
import { connectedState, deferred, fakeSluice, invokesOf, renderApp, settingsWith, settle } from './harness';

async function openSettings(
  fake = fakeSluice(connectedState()),
): Promise<Awaited<ReturnType<typeof renderApp>>> {
  const app = await renderApp(fake);
  await app.user.click(screen.getByRole('button', { name: 'Settings' }));
  return app;
}

describe('settings view', () => {
  it('has a heading, focused on open, and a labelled switch with an explanation for each setting', async () => {
    await openSettings();
    const heading = screen.getByRole('heading', { level: 1, name: 'Settings' });
    expect(document.activeElement).toBe(heading);
    for (const name of ['Lockdown mode', 'Allow LAN', 'Auto-connect', 'Launch on login']) {
      const toggle = screen.getByRole('switch', { name });
      expect(toggle.getAttribute('aria-checked')).toBe('false');
      expect(toggle.getAttribute('aria-describedby')).toBeTruthy();
    }
    expect(
      screen.getByRole('switch', { name: 'Lockdown mode' }).getAttribute('aria-describedby'),
    ).toBeTruthy();
    const lockdownHelp = document.getElementById(
      screen.getByRole('switch', { name: 'Lockdown mode' }).getAttribute('aria-describedby') ?? '',
    );
    expect(lockdownHelp?.textContent).toMatch(/Block all internet traffic whenever Sluice is not connected/);
    // Launch on login and auto-connect say how they differ.
    expect(screen.getByText(/On its own it does not connect; that is what auto-connect does/)).toBeTruthy();
    expect(screen.getByText(/Connect as soon as the helper starts at boot/)).toBeTruthy();
  });

  const toggles: { name: string; channel: Channel; request: object }[] = [
    { name: 'Lockdown mode', channel: 'setLockdownMode', request: { enabled: true } },
    { name: 'Allow LAN', channel: 'setAllowLan', request: { allow: true } },
    { name: 'Auto-connect', channel: 'setAutoConnect', request: { enabled: true } },
    { name: 'Launch on login', channel: 'setLaunchOnLogin', request: { enabled: true } },
  ];
  for (const t of toggles) {
    it(`${t.name} calls ${t.channel}`, async () => {
      const fake = fakeSluice(connectedState());
      const { user } = await openSettings(fake);
      await user.click(screen.getByRole('switch', { name: t.name }));
      expect(invokesOf(fake, t.channel)).toEqual([t.request]);
      expect(screen.getByRole('switch', { name: t.name }).getAttribute('aria-checked')).toBe('true');
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

  it('flips back and shows the error when the helper refuses', async () => {
    const fake = fakeSluice(connectedState());
    const request = deferred<undefined>();
    fake.answer('setLockdownMode', () => request.promise);
    const { user } = await openSettings(fake);
    const lockdown = screen.getByRole('switch', { name: 'Lockdown mode' });
    await user.click(lockdown);
    expect(lockdown.getAttribute('aria-checked')).toBe('true');

    await settle(() => request.reject(new Error('permission denied: not in the sluice group')));
    expect(lockdown.getAttribute('aria-checked')).toBe('false');
    expect(
      within(screen.getByRole('alert')).getByText(/Could not change lockdown mode: permission denied/),
    ).toBeTruthy();
  });

  it('works from the keyboard: Space toggles, Escape goes back to the Settings button', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openSettings(fake);
    // Focus starts on the heading; Back comes before it, the switches after it.
    await user.tab({ shift: true });
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Back' }));
    await user.tab();
    expect(document.activeElement).toBe(screen.getByRole('switch', { name: 'Lockdown mode' }));
    await user.keyboard(' ');
    expect(invokesOf(fake, 'setLockdownMode')).toEqual([{ enabled: true }]);
    await user.tab();
    await user.keyboard('{Enter}');
    expect(invokesOf(fake, 'setAllowLan')).toEqual([{ allow: true }]);

    await user.keyboard('{Escape}');
    expect(screen.queryByRole('heading', { name: 'Settings' })).toBeNull();
    expect(document.activeElement).toBe(screen.getByRole('button', { name: 'Settings' }));
  });

  it('goes back with the Back button', async () => {
    const { user } = await openSettings();
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('heading', { level: 1, name: 'Sluice' })).toBeTruthy();
  });

  it('disables the helper switches until the helper has sent its settings', async () => {
    const fake = fakeSluice({ ...connectedState(), settings: undefined, launchOnLogin: true });
    await openSettings(fake);
    expect(screen.getByRole<HTMLButtonElement>('switch', { name: 'Lockdown mode' }).disabled).toBe(true);
    const launch = screen.getByRole<HTMLButtonElement>('switch', { name: 'Launch on login' });
    expect(launch.disabled).toBe(false);
    expect(launch.getAttribute('aria-checked')).toBe('true');
  });
});
