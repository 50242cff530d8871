// Desktop notifications: which changes deserve one, and the per-kind throttle.
import { describe, expect, it } from 'vitest';
import {
  NOTIFICATION_INTERVAL_MS,
  notificationsFor,
  notificationsToShow,
  NotificationThrottle,
  type DesktopNotification,
} from '../../src/main/notifications.js';
import type { AppState, StatePatch } from '../../src/shared/ipc.js';
import { blockedError, connected, disconnected, helperDown, openError } from './fixtures.js';

function change(previous: AppState, patch: StatePatch): DesktopNotification[] {
  return notificationsFor(previous, patch, { ...previous, ...patch });
}

const lost = {
  kind: 'unexpected-disconnect' as const,
  message: 'The tunnel went down: no handshake for 3 minutes',
};

describe('notifications for a change', () => {
  it('announce an unexpected disconnect the helper reports', () => {
    const out = change(connected, { notices: [lost] });
    expect(out).toEqual([
      { kind: 'unexpected-disconnect', title: 'Sluice: connection lost', body: lost.message },
    ]);
  });

  it('do not replay old notices that arrive with a snapshot', () => {
    expect(
      change(disconnected, { notices: [lost], tunnel: disconnected.tunnel, settings: undefined }),
    ).toEqual([]);
  });

  it('ignore other notices', () => {
    expect(
      change(connected, { notices: [{ kind: 'settings-recovered', message: 'settings were reset' }] }),
    ).toEqual([]);
  });

  it('announce traffic being blocked, once per error', () => {
    const out = change(connected, { tunnel: blockedError.tunnel });
    expect(out).toHaveLength(1);
    expect(out[0]).toMatchObject({ kind: 'blocked', title: 'Sluice: traffic blocked' });
    expect(out[0]?.body).toContain('the relay does not answer. Nothing leaves');
    expect(change(blockedError, { tunnel: blockedError.tunnel })).toEqual([]);
  });

  it('announce an error that leaves traffic unprotected', () => {
    expect(change(connected, { tunnel: openError.tunnel })).toEqual([
      {
        kind: 'error',
        title: 'Sluice: not protected',
        body: 'nft failed. Your traffic is not going through the VPN.',
      },
    ]);
  });

  it('announce the helper going away, not it being unreachable at start-up', () => {
    expect(change(connected, { helper: helperDown.helper })).toMatchObject([{ kind: 'helper-lost' }]);
    expect(change(helperDown, { helper: helperDown.helper })).toEqual([]);
  });

  it('stay quiet for the user disconnecting and for live statistics', () => {
    expect(change(connected, { tunnel: disconnected.tunnel })).toEqual([]);
    expect(change(connected, { tunnel: { ...connected.tunnel } })).toEqual([]);
  });
});

describe('notification throttle', () => {
  it('allows one notification of a kind per interval', () => {
    const throttle = new NotificationThrottle();
    expect(throttle.allow('blocked', 0)).toBe(true);
    expect(throttle.allow('blocked', 1_000)).toBe(false);
    expect(throttle.allow('blocked', NOTIFICATION_INTERVAL_MS - 1)).toBe(false);
    expect(throttle.allow('blocked', NOTIFICATION_INTERVAL_MS)).toBe(true);
  });

  it('throttles each kind on its own', () => {
    const throttle = new NotificationThrottle(30_000);
    expect(throttle.allow('blocked', 0)).toBe(true);
    expect(throttle.allow('unexpected-disconnect', 1)).toBe(true);
    expect(throttle.allow('blocked', 2)).toBe(false);
  });

  it('does not count notifications it refused', () => {
    const throttle = new NotificationThrottle(10);
    expect(throttle.allow('error', 0)).toBe(true);
    expect(throttle.allow('error', 9)).toBe(false);
    expect(throttle.allow('error', 10)).toBe(true);
  });
});

describe('notifications to show', () => {
  const blocked: DesktopNotification = { kind: 'blocked', title: 't', body: 'b' };

  it('shows none while the user is looking at the window', () => {
    const throttle = new NotificationThrottle();
    expect(notificationsToShow([blocked], { windowFocused: true, nowMs: 0 }, throttle)).toEqual([]);
    // Not counted either: the next one, with the window away, still shows.
    expect(notificationsToShow([blocked], { windowFocused: false, nowMs: 1 }, throttle)).toEqual([blocked]);
  });

  it('drops throttled ones', () => {
    const throttle = new NotificationThrottle();
    expect(notificationsToShow([blocked, blocked], { windowFocused: false, nowMs: 0 }, throttle)).toEqual([
      blocked,
    ]);
  });
});
