// Which desktop notifications a state change deserves (unexpected disconnects, blocked traffic,
// unprotected errors, a lost helper) and a per-kind throttle so a flapping tunnel cannot spam. Pure.
import type { AppState, StatePatch } from '../shared/ipc.js';

export type NotificationKind = 'unexpected-disconnect' | 'blocked' | 'error' | 'helper-lost';

export interface DesktopNotification {
  kind: NotificationKind;
  title: string;
  body: string;
}

/**
 * Notifications for the change from `previous` to `next` made by `patch`. The user's own actions
 * (Disconnect) do not notify: the helper reports unexpected disconnects as notices.
 */
export function notificationsFor(
  previous: AppState,
  patch: StatePatch,
  next: AppState,
): DesktopNotification[] {
  const out: DesktopNotification[] = [];

  // A notice event patches `notices` alone. A snapshot (start-up, helper restart) also carries `tunnel`
  // and replays old notices, which were announced already.
  if (patch.notices !== undefined && patch.tunnel === undefined) {
    const newest = next.notices.at(-1);
    if (newest?.kind === 'unexpected-disconnect') {
      out.push({ kind: 'unexpected-disconnect', title: 'Sluice: connection lost', body: newest.message });
    }
  }

  const before = previous.tunnel;
  const sentence = (message: string): string => message.replace(/[.\s]+$/, '');
  const after = next.tunnel;
  if (patch.tunnel !== undefined && after.state === 'error' && after.error) {
    const wasSameError =
      before.state === 'error' &&
      before.error?.blocking === after.error.blocking &&
      before.error.message === after.error.message;
    if (!wasSameError) {
      out.push(
        after.error.blocking
          ? {
              kind: 'blocked',
              title: 'Sluice: traffic blocked',
              body: `${sentence(after.error.message)}. Nothing leaves this computer until the tunnel is back or you disconnect.`,
            }
          : {
              kind: 'error',
              title: 'Sluice: not protected',
              body: `${sentence(after.error.message)}. Your traffic is not going through the VPN.`,
            },
      );
    }
  }

  if (
    patch.helper !== undefined &&
    previous.helper.kind === 'connected' &&
    next.helper.kind === 'unreachable'
  ) {
    out.push({
      kind: 'helper-lost',
      title: 'Sluice: helper stopped',
      body: 'The Sluice helper stopped running. The app reconnects when it is back.',
    });
  }
  return out;
}

export const NOTIFICATION_INTERVAL_MS = 30_000;

/** At most one notification of each kind per interval. Time is passed in, so tests need no clock. */
export class NotificationThrottle {
  private readonly lastShown = new Map<NotificationKind, number>();

  constructor(private readonly intervalMs = NOTIFICATION_INTERVAL_MS) {}

  /** Whether a notification of `kind` may be shown at `nowMs`; records it when so. */
  allow(kind: NotificationKind, nowMs: number): boolean {
    const last = this.lastShown.get(kind);
    if (last !== undefined && nowMs - last < this.intervalMs) return false;
    this.lastShown.set(kind, nowMs);
    return true;
  }
}

/** Notifications worth showing now: none while the user is looking at the window (it says it all). */
export function notificationsToShow(
  candidates: readonly DesktopNotification[],
  facts: { windowFocused: boolean; nowMs: number },
  throttle: NotificationThrottle,
): DesktopNotification[] {
  if (facts.windowFocused) return [];
  return candidates.filter((notification) => throttle.allow(notification.kind, facts.nowMs));
}
