import { describe, expect, it } from 'vitest';
import {
  attemptTimeoutMs,
  retryDelayMs,
  transition,
  type RelaySummary,
  type TunnelEvent,
  type TunnelState,
} from '../src/tunnel/state-machine.js';

const ctx = { canBlock: true };
const se: RelaySummary = {
  hostname: 'se-got-wg-001',
  country: 'Sweden',
  city: 'Gothenburg',
  endpoint: '192.0.2.11:51820',
  publicKey: 'k1',
};

/** Feed events in order; return the final transition and every state passed through. */
function run(start: TunnelState, events: TunnelEvent[]) {
  let state = start;
  const kinds: string[] = [];
  let last = transition(state, { type: 'torn-down' }, ctx);
  for (const event of events) {
    last = transition(state, event, ctx);
    state = last.state;
    kinds.push(state.kind);
  }
  return { last, kinds, state };
}

describe('tunnel state machine', () => {
  it('connects: disconnected -> connecting -> connected, with reasons', () => {
    const { kinds, last } = run({ kind: 'disconnected' }, [
      { type: 'connect' },
      { type: 'relay-selected', relay: se },
      { type: 'attempt-succeeded', relay: se },
    ]);
    expect(kinds).toEqual(['connecting', 'connecting', 'connected']);
    expect(last.reason).toBe('tunnel to se-got-wg-001 verified');
    expect(transition({ kind: 'disconnected' }, { type: 'connect' }, ctx).effects).toEqual([
      { type: 'start-attempt', attempt: 1, avoid: [] },
    ]);
  });

  it('retries a failed attempt, avoiding the relay that failed, with growing delays', () => {
    let state: TunnelState = { kind: 'connecting', attempt: 1, avoid: [] };
    const first = transition(
      state,
      {
        type: 'attempt-failed',
        cause: 'tunnel-setup',
        message: 'no handshake',
        retry: true,
        relay: 'se-got-wg-001',
      },
      ctx,
    );
    expect(first.state).toEqual({ kind: 'connecting', attempt: 2, avoid: ['se-got-wg-001'] });
    expect(first.effects).toEqual([
      { type: 'retry-after', delayMs: 500, attempt: 2, avoid: ['se-got-wg-001'] },
    ]);
    state = first.state;
    const second = transition(
      state,
      {
        type: 'attempt-failed',
        cause: 'tunnel-setup',
        message: 'no handshake',
        retry: true,
        relay: 'de-fra-wg-001',
      },
      ctx,
    );
    expect(second.state).toEqual({
      kind: 'connecting',
      attempt: 3,
      avoid: ['se-got-wg-001', 'de-fra-wg-001'],
    });
    expect(retryDelayMs(3)).toBe(1000);
    expect(retryDelayMs(20)).toBe(10_000);
    expect([1, 2, 3, 10].map(attemptTimeoutMs)).toEqual([4000, 6000, 8000, 15_000]);
  });

  it('goes to a blocking error when retrying cannot help', () => {
    const t = transition(
      { kind: 'connecting', attempt: 1, avoid: [] },
      { type: 'attempt-failed', cause: 'no-relay', message: 'no relay in xx', retry: false },
      ctx,
    );
    expect(t.state).toEqual({ kind: 'error', cause: 'no-relay', message: 'no relay in xx', blocking: true });
    expect(t.effects).toEqual([
      { type: 'cancel-attempt' },
      { type: 'tear-down' },
      { type: 'apply-policy', intent: 'blocked' },
    ]);
    // Without a firewall it does not claim to block.
    expect(
      transition(
        { kind: 'connecting', attempt: 1, avoid: [] },
        { type: 'attempt-failed', cause: 'no-relay', message: 'x', retry: false },
        { canBlock: false },
      ).state,
    ).toMatchObject({
      blocking: false,
    });
  });

  it('a lost tunnel tears down and reconnects by itself, and tells the user', () => {
    const { kinds, last } = run({ kind: 'connected', relay: se }, [
      { type: 'tunnel-lost', message: 'relay stopped answering', relay: se.hostname },
      { type: 'torn-down' },
    ]);
    expect(kinds).toEqual(['disconnecting', 'connecting']);
    // The first attempt after the loss does not go back to the relay that just died.
    expect(last.effects).toEqual([{ type: 'start-attempt', attempt: 1, avoid: ['se-got-wg-001'] }]);

    expect(
      transition(
        { kind: 'connected', relay: se },
        { type: 'tunnel-lost', message: 'gone', relay: se.hostname },
        ctx,
      ).effects,
    ).toContainEqual({
      type: 'notify-unexpected-disconnect',
      message: 'gone',
    });
  });

  it('disconnect from every state ends disconnected', () => {
    for (const start of [
      { kind: 'connecting', attempt: 2, avoid: [] },
      { kind: 'connected', relay: se },
      { kind: 'error', cause: 'no-relay', message: 'x', blocking: true },
    ] as TunnelState[]) {
      const { state } = run(start, [{ type: 'disconnect' }, { type: 'torn-down' }]);
      expect(state.kind).toBe('disconnected');
    }
    expect(
      transition({ kind: 'connecting', attempt: 1, avoid: [] }, { type: 'disconnect' }, ctx).effects,
    ).toEqual([{ type: 'cancel-attempt' }, { type: 'tear-down' }]);
  });

  it('reconnect while connected goes through disconnecting', () => {
    const { kinds } = run({ kind: 'connected', relay: se }, [{ type: 'reconnect' }, { type: 'torn-down' }]);
    expect(kinds).toEqual(['disconnecting', 'connecting']);
  });

  it('a connect while disconnecting turns into a reconnect, a disconnect cancels it', () => {
    expect(
      run({ kind: 'disconnecting', after: 'nothing' }, [{ type: 'connect' }, { type: 'torn-down' }]).state
        .kind,
    ).toBe('connecting');
    expect(
      run({ kind: 'disconnecting', after: 'reconnect' }, [{ type: 'disconnect' }, { type: 'torn-down' }])
        .state.kind,
    ).toBe('disconnected');
  });

  it('ignores events that do not apply, and says so', () => {
    const t = transition({ kind: 'disconnected' }, { type: 'attempt-succeeded', relay: se }, ctx);
    expect(t.state).toEqual({ kind: 'disconnected' });
    expect(t.effects).toEqual([]);
    expect(t.reason).toContain('ignored');
    expect(transition({ kind: 'connected', relay: se }, { type: 'connect' }, ctx).effects).toEqual([]);
  });
});

describe('a firewall that cannot be applied', () => {
  it('ends in a non-blocking firewall error from any state, tearing a tunnel down', () => {
    const connected = transition(
      { kind: 'connected', relay: se },
      { type: 'firewall-failed', message: 'nft: no such table' },
      ctx,
    );
    expect(connected.state).toEqual({
      kind: 'error',
      cause: 'firewall',
      message: 'nft: no such table',
      blocking: false,
    });
    expect(connected.effects).toEqual([{ type: 'cancel-attempt' }, { type: 'tear-down' }]);
    expect(
      transition({ kind: 'disconnected' }, { type: 'firewall-failed', message: 'x' }, ctx).effects,
    ).toEqual([]);
    // Failing again changes nothing (and so queues nothing new).
    const again = transition(connected.state, { type: 'firewall-failed', message: 'x' }, ctx);
    expect(again.state).toBe(connected.state);
  });
});

describe('each state applies its own firewall policy', () => {
  it('disconnected applies the idle policy on entry; connecting leaves it to the attempt; disconnecting holds', () => {
    const down = transition({ kind: 'disconnecting', after: 'nothing' }, { type: 'torn-down' }, ctx);
    expect(down.effects).toEqual([{ type: 'apply-policy', intent: 'idle' }]);
    expect(
      transition(
        { kind: 'error', cause: 'no-relay', message: 'x', blocking: true },
        { type: 'disconnect' },
        ctx,
      ).effects,
    ).toEqual([{ type: 'apply-policy', intent: 'idle' }]);
    const connecting = transition({ kind: 'disconnected' }, { type: 'connect' }, ctx);
    expect(connecting.effects.some((e) => e.type === 'apply-policy')).toBe(false);
    // The connected policy already blocks everything outside the tunnel while it comes down.
    const leaving = transition({ kind: 'connected', relay: se }, { type: 'disconnect' }, ctx);
    expect(leaving.effects).toEqual([{ type: 'tear-down' }]);
  });
});

describe('settings changes as events', () => {
  const tunnel = { tunnel: true, firewall: false };
  const firewall = { tunnel: false, firewall: true };
  const nothing = { tunnel: false, firewall: false };
  const change = (state: TunnelState, impact: typeof tunnel) =>
    transition(state, { type: 'settings-changed', impact }, ctx);

  it('connected: tunnel settings reconnect, firewall settings re-apply the connected policy', () => {
    expect(change({ kind: 'connected', relay: se }, tunnel).state).toEqual({
      kind: 'disconnecting',
      after: 'reconnect',
    });
    const refreshed = change({ kind: 'connected', relay: se }, firewall);
    expect(refreshed.state.kind).toBe('connected');
    expect(refreshed.effects).toEqual([{ type: 'apply-policy', intent: 'tunnel' }]);
    expect(change({ kind: 'connected', relay: se }, nothing).effects).toEqual([]);
  });

  it('connecting starts over; disconnected re-applies its policy; error retries on tunnel settings', () => {
    expect(change({ kind: 'connecting', attempt: 3, avoid: ['x'] }, firewall).effects).toEqual([
      { type: 'cancel-attempt' },
      { type: 'start-attempt', attempt: 1, avoid: [] },
    ]);
    expect(change({ kind: 'disconnected' }, firewall).effects).toEqual([
      { type: 'apply-policy', intent: 'idle' },
    ]);
    expect(change({ kind: 'disconnected' }, tunnel).effects).toEqual([]);
    expect(
      change({ kind: 'error', cause: 'no-relay', message: 'x', blocking: true }, tunnel).state.kind,
    ).toBe('connecting');
    expect(change({ kind: 'disconnecting', after: 'nothing' }, firewall).effects).toEqual([]);
  });
});

describe('device events', () => {
  it('a restarted device reconnects; a failed one is an error that says why and keeps blocking', () => {
    const restarted = transition(
      { kind: 'connected', relay: se },
      { type: 'device-restarted', message: 'restarted' },
      ctx,
    );
    expect(restarted.state).toEqual({ kind: 'disconnecting', after: 'reconnect' });
    expect(
      transition(
        { kind: 'connecting', attempt: 2, avoid: [] },
        { type: 'device-restarted', message: 'r' },
        ctx,
      ).effects,
    ).toEqual([{ type: 'cancel-attempt' }, { type: 'retry-after', delayMs: 1000, attempt: 3, avoid: [] }]);
    const failed = transition(
      { kind: 'connected', relay: se },
      { type: 'device-failed', message: 'gave up' },
      ctx,
    );
    expect(failed.state).toEqual({
      kind: 'error',
      cause: 'tunnel-setup',
      message: 'gave up',
      blocking: true,
    });
    expect(failed.effects).toContainEqual({ type: 'tear-down' });
  });
});
