// @vitest-environment jsdom
// The main view: the state in words and colour, the connect button per state, optimistic connect and
// disconnect with their fallbacks, the details panel, the location button and notices.
import { screen, waitFor, within } from '@testing-library/react';
import type { TunnelStatus } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { connectedState, deferred, fakeSluice, invokesOf, renderApp, settingsWith, settle } from './harness';

const device = {
  interface: 'wg-sluice',
  mtu: 1380,
  rxBytes: 1536,
  txBytes: 3 * 1024 * 1024,
  lastHandshakeAgeMs: 42_000,
};

const connectedTunnel: TunnelStatus = {
  state: 'connected',
  lockedDown: false,
  relay: { hostname: 'se-got-wg-001', country: 'se', city: 'got', endpoint: '198.51.100.1:51820' },
  tunnel: device,
};

function status(): HTMLElement {
  return screen.getByRole('status');
}

describe('main view per tunnel state', () => {
  const cases: { name: string; tunnel: TunnelStatus; words: string; buttons: string[]; state: string }[] = [
    {
      name: 'disconnected',
      tunnel: { state: 'disconnected', lockedDown: false },
      words: 'Disconnected',
      buttons: ['Connect'],
      state: 'disconnected',
    },
    {
      name: 'connecting',
      tunnel: { state: 'connecting', lockedDown: false },
      words: 'Connecting…',
      buttons: ['Cancel'],
      state: 'connecting',
    },
    {
      name: 'connected',
      tunnel: connectedTunnel,
      words: 'Connected',
      buttons: ['Disconnect', 'Reconnect'],
      state: 'connected',
    },
    {
      name: 'disconnecting',
      tunnel: { state: 'disconnecting', lockedDown: false },
      words: 'Disconnecting…',
      buttons: ['Connect'],
      state: 'disconnecting',
    },
    {
      name: 'error with blocking',
      tunnel: {
        state: 'error',
        lockedDown: false,
        error: { cause: 'tunnel-setup', message: 'no handshake', blocking: true },
      },
      words: 'Blocked',
      buttons: ['Try again', 'Disconnect'],
      state: 'blocked',
    },
    {
      name: 'error without blocking',
      tunnel: {
        state: 'error',
        lockedDown: false,
        error: { cause: 'firewall', message: 'nft failed', blocking: false },
      },
      words: 'Error',
      buttons: ['Try again', 'Disconnect'],
      state: 'error',
    },
  ];

  for (const c of cases) {
    it(`shows ${c.name} in words, colour and buttons`, async () => {
      await renderApp(fakeSluice(connectedState({ tunnel: c.tunnel })));
      expect(within(status()).getByText(c.words, { exact: true })).toBeTruthy();
      expect(status().dataset.state).toBe(c.state);
      expect(status().getAttribute('aria-live')).toBe('polite');
      for (const label of c.buttons) expect(screen.getByRole('button', { name: label })).toBeTruthy();
    });
  }

  it('names the relay and its place when connected, and the failure when blocked', async () => {
    const fake = fakeSluice(connectedState({ tunnel: connectedTunnel }));
    await renderApp(fake);
    expect(screen.getByText('se-got-wg-001')).toBeTruthy();
    expect(screen.getByText('Gothenburg, Sweden')).toBeTruthy();

    fake.push({
      tunnel: {
        state: 'error',
        lockedDown: false,
        error: { cause: 'tunnel-setup', message: 'no handshake', blocking: true },
      },
    });
    expect(within(status()).getByText('Blocked')).toBeTruthy();
    expect(screen.getByText('no handshake')).toBeTruthy();
  });

  it('says traffic is blocked by lockdown when locked down and not connected', async () => {
    const fake = fakeSluice(connectedState({ tunnel: { state: 'disconnected', lockedDown: true } }));
    await renderApp(fake);
    expect(screen.getByText('Your traffic is blocked (lockdown)')).toBeTruthy();
    expect(screen.getByText('Nothing leaves this device until you connect')).toBeTruthy();

    fake.push({ tunnel: { ...connectedTunnel, lockedDown: true } });
    expect(screen.queryByText('Your traffic is blocked (lockdown)')).toBeNull();
  });
});

describe('optimistic connect and disconnect', () => {
  it('shows Connecting… at once, then follows the helper', async () => {
    const fake = fakeSluice(connectedState());
    const request = deferred<undefined>();
    fake.answer('connect', () => request.promise);
    const { user } = await renderApp(fake);

    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(invokesOf(fake, 'connect')).toEqual([{}]);
    expect(status().dataset.state).toBe('connecting');
    expect(screen.getByRole('button', { name: 'Cancel' })).toBeTruthy();

    fake.push({ tunnel: { state: 'connecting', lockedDown: false } });
    await settle(() => request.resolve(undefined));
    fake.push({ tunnel: connectedTunnel });
    expect(status().dataset.state).toBe('connected');
    expect(screen.getByRole('button', { name: 'Disconnect' })).toBeTruthy();
  });

  it('falls back to the real state and shows the error when the request fails', async () => {
    const fake = fakeSluice(connectedState());
    const request = deferred<undefined>();
    fake.answer('connect', () => request.promise);
    const { user } = await renderApp(fake);

    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(status().dataset.state).toBe('connecting');

    await settle(() =>
      request.reject(
        new Error("Error invoking remote method 'sluice:invoke': Error: no relay matches the location"),
      ),
    );
    expect(status().dataset.state).toBe('disconnected');
    const alert = screen.getByRole('alert');
    expect(alert.textContent).toContain('Could not connect: no relay matches the location');

    await user.click(screen.getByRole('button', { name: 'Dismiss error' }));
    expect(screen.queryByText(/Could not connect/)).toBeNull();

    // A new attempt clears an old failure by itself.
    fake.answer('connect', () => Promise.reject(new Error('no relay matches the location')));
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(screen.getByRole('alert').textContent).toContain('Could not connect');
    fake.answer('connect', () => Promise.resolve(undefined));
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(screen.getByRole('alert').textContent).toBe('');
  });

  it('falls back to the real state when the helper accepts but never moves', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await renderApp(fake, { settleMs: 30 });
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(status().dataset.state).toBe('connecting');
    await waitFor(() => expect(status().dataset.state).toBe('disconnected'));
  });

  it('keeps Disconnecting… through stats updates until the helper moves', async () => {
    const fake = fakeSluice(connectedState({ tunnel: connectedTunnel }));
    const { user } = await renderApp(fake);

    await user.click(screen.getByRole('button', { name: 'Disconnect' }));
    expect(invokesOf(fake, 'disconnect')).toEqual([{}]);
    expect(status().dataset.state).toBe('disconnecting');

    // A live-stats patch repeats "connected": it is not the helper's answer.
    fake.push({ tunnel: { ...connectedTunnel, tunnel: { ...device, rxBytes: 9999 } } });
    expect(status().dataset.state).toBe('disconnecting');

    fake.push({ tunnel: { state: 'disconnected', lockedDown: false } });
    expect(status().dataset.state).toBe('disconnected');
  });

  it('cancels a connection attempt with disconnect and reconnects with reconnect', async () => {
    const fake = fakeSluice(connectedState({ tunnel: { state: 'connecting', lockedDown: false } }));
    const { user } = await renderApp(fake);
    await user.click(screen.getByRole('button', { name: 'Cancel' }));
    expect(invokesOf(fake, 'disconnect')).toEqual([{}]);

    fake.push({ tunnel: connectedTunnel });
    await user.click(screen.getByRole('button', { name: 'Reconnect' }));
    expect(invokesOf(fake, 'reconnect')).toEqual([{}]);
    expect(status().dataset.state).toBe('connecting');
  });
});

describe('details, location and notices', () => {
  it('expands the details with relay, endpoint, device and live counters', async () => {
    const fake = fakeSluice(connectedState({ tunnel: connectedTunnel }));
    const { user } = await renderApp(fake);
    const toggle = screen.getByRole('button', { name: 'Connection details' });
    expect(toggle.getAttribute('aria-expanded')).toBe('false');

    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const details = document.getElementById(toggle.getAttribute('aria-controls') ?? '');
    const text = details?.textContent;
    for (const part of [
      'se-got-wg-001',
      '198.51.100.1:51820',
      'wg-sluice',
      '1380',
      '1.5 KiB',
      '3.0 MiB',
      '42 s ago',
    ]) {
      expect(text).toContain(part);
    }

    fake.push({
      tunnel: {
        ...connectedTunnel,
        tunnel: { ...device, rxBytes: 5 * 1024 * 1024, lastHandshakeAgeMs: 2_000 },
      },
    });
    expect(details?.textContent).toContain('5.0 MiB');
    expect(details?.textContent).toContain('2 s ago');
  });

  it('shows the location constraint with names from the relay list', async () => {
    const fake = fakeSluice(
      connectedState({
        settings: settingsWith((s) => (s.relayConstraints.location = { country: 'se', city: 'got' })),
      }),
    );
    await renderApp(fake);
    expect(screen.getByRole('button', { name: 'Location Gothenburg, Sweden' })).toBeTruthy();

    fake.push({ settings: settingsWith() });
    expect(screen.getByRole('button', { name: 'Location Any location' })).toBeTruthy();
  });

  it('shows notices and lets them be dismissed', async () => {
    const fake = fakeSluice(
      connectedState({
        notices: [{ kind: 'settings-recovered', message: 'Settings were damaged and reset to defaults.' }],
        trayAvailable: false,
      }),
    );
    const { user } = await renderApp(fake);
    expect(screen.getByText('Settings were damaged and reset to defaults.')).toBeTruthy();
    expect(screen.getByText(/No system tray was found/)).toBeTruthy();

    await user.click(
      screen.getByRole('button', { name: 'Dismiss notice: Settings were damaged and reset to defaults.' }),
    );
    expect(screen.queryByText('Settings were damaged and reset to defaults.')).toBeNull();

    // The same notice again later is news, and shows.
    fake.push({
      notices: [
        { kind: 'settings-recovered', message: 'Settings were damaged and reset to defaults.' },
        { kind: 'settings-recovered', message: 'Settings were damaged and reset to defaults.' },
      ],
    });
    expect(screen.getAllByText('Settings were damaged and reset to defaults.')).toHaveLength(1);
  });
});

describe('live traffic graph', () => {
  it('shows receive and send rates from the counters, in words, only while connected', async () => {
    let now = 1_000_000;
    const fake = fakeSluice(connectedState({ tunnel: connectedTunnel }));
    await renderApp(fake, { now: () => now });
    const graph = screen.getByRole('img', { name: /^Traffic over the last minute/ });
    expect(graph.getAttribute('aria-label')).toMatch(/Measuring traffic/);

    // Two seconds later: 2 MB more received, 20 kB more sent.
    now += 2000;
    fake.push({
      tunnel: {
        ...connectedTunnel,
        tunnel: { ...device, rxBytes: device.rxBytes + 2_000_000, txBytes: device.txBytes + 20_000 },
      },
    });
    expect(graph.getAttribute('aria-label')).toMatch(/Down 1\.0 MB\/s, up 10 kB\/s/);
    now += 1000;
    fake.push({
      tunnel: {
        ...connectedTunnel,
        tunnel: { ...device, rxBytes: device.rxBytes + 2_000_500, txBytes: device.txBytes + 20_000 },
      },
    });
    expect(graph.getAttribute('aria-label')).toMatch(
      /Down 500 B\/s, up 0 B\/s; peak in the last minute: down 1\.0 MB\/s, up 10 kB\/s/,
    );

    fake.push({ tunnel: { state: 'disconnected', lockedDown: false } });
    expect(screen.queryByRole('img', { name: /^Traffic/ })).toBeNull();
  });
});
