// @vitest-environment jsdom
// The helper is down or untrusted: the window says what is wrong and what to do, and recovers by itself.
import { act, screen } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { connectedState, fakeSluice, renderApp } from './harness';

describe('helper not running', () => {
  it('says the helper is not running, how to start it, and recovers when it is back', async () => {
    const fake = fakeSluice({
      ...connectedState(),
      helper: {
        kind: 'unreachable',
        socketPath: '/run/sluice/daemon.sock',
        message: 'connect ENOENT /run/sluice/daemon.sock',
      },
    });
    await renderApp(fake);

    const heading = screen.getByRole('heading', { level: 1, name: 'The Sluice helper is not running' });
    expect(document.activeElement).toBe(heading);
    expect(screen.getByText('sudo systemctl start sluiced')).toBeTruthy();
    expect(screen.getAllByText('/run/sluice/daemon.sock').length).toBeGreaterThan(0);
    expect(screen.getByText('connect ENOENT /run/sluice/daemon.sock')).toBeTruthy();
    expect(screen.getByRole('status').textContent).toContain('Sluice reconnects by itself');
    expect(screen.queryByRole('button', { name: 'Connect' })).toBeNull();

    fake.push({ helper: { kind: 'connected', version: '0.1.0' } });
    expect(screen.queryByRole('heading', { name: 'The Sluice helper is not running' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();
  });

  it('says an untrusted socket is not owned by root and is refused', async () => {
    const fake = fakeSluice({
      ...connectedState(),
      helper: {
        kind: 'untrusted',
        socketPath: '/tmp/evil.sock',
        message: 'socket /tmp/evil.sock is owned by uid 1000, not root',
      },
    });
    await renderApp(fake);
    expect(screen.getByRole('heading', { level: 1, name: 'The helper socket is not trusted' })).toBeTruthy();
    expect(screen.getByText(/is not owned by root/)).toBeTruthy();
    expect(screen.getByText('ls -l /tmp/evil.sock')).toBeTruthy();
    expect(screen.getByText('sudo systemctl restart sluiced')).toBeTruthy();
  });

  it('shows the problem view when the helper goes away, from any view, and drops an optimistic state', async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('connect', () => new Promise(() => undefined));
    const { user, store } = await renderApp(fake);
    await user.click(screen.getByRole('button', { name: 'Connect' }));
    expect(store.getState().optimisticTunnel?.state).toBe('connecting');

    fake.push({
      helper: { kind: 'unreachable', socketPath: '/run/sluice/daemon.sock', message: 'connection reset' },
    });
    expect(screen.getByRole('heading', { name: 'The Sluice helper is not running' })).toBeTruthy();
    expect(store.getState().optimisticTunnel).toBeUndefined();

    fake.push({ helper: { kind: 'connected', version: '0.1.1' } });
    expect(screen.getByRole('status').dataset.state).toBe('disconnected');
  });

  it('waits for the helper at start, and asks again when getState fails', async () => {
    const fake = fakeSluice({ helper: { kind: 'connecting' } });
    let failures = 1;
    fake.answer('getState', () =>
      failures-- > 0 ? Promise.reject(new Error('preload not ready')) : Promise.resolve(fake.state),
    );
    await renderApp(fake, { retryMs: 20 });
    expect(screen.getByText('Contacting the Sluice helper…')).toBeTruthy();
    expect(screen.getByText('Still trying: preload not ready')).toBeTruthy();

    await act(async () => {
      await new Promise((resolve) => setTimeout(resolve, 60));
    });
    expect(fake.invokes.filter((i) => i.channel === 'getState')).toHaveLength(2);
    expect(screen.queryByText(/Still trying/)).toBeNull();

    fake.push(connectedState());
    expect(screen.getByRole('button', { name: 'Connect' })).toBeTruthy();
  });

  it('stops listening when the renderer stops', async () => {
    const fake = fakeSluice(connectedState());
    await renderApp(fake);
    expect(fake.listenerCount()).toBe(1);
  });
});
