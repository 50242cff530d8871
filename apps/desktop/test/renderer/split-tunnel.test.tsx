// @vitest-environment jsdom
// The split-tunnel view: reached from settings; the switch shows the helper's state and asks for the
// change; the mechanism (or why it cannot work) in words; app rules and excluded processes listed live,
// each with a way to put it back; a refused request shows the helper's words.
import { screen, within } from '@testing-library/react';
import type { SplitTunnelStatus } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
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
  await app.user.click(screen.getByRole('button', { name: /Programs outside the tunnel/ }));
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
    await app.user.click(screen.getByRole('button', { name: /Programs outside the tunnel/ }));
    await app.user.click(screen.getByRole('button', { name: 'Put process 4242 back in the tunnel' }));
    await settle(() => undefined);
    expect(screen.getByRole('alert').textContent).toContain(
      'Putting process 4242 back in the tunnel: process 4242 is not excluded',
    );
  });
});
