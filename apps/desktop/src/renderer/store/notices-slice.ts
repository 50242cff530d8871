// Notices from the helper (e.g. "settings were recovered") and the app's own, dismissed here only: the
// helper keeps its list, so a dismissal is remembered by the notice's text and how often it recurred.
import { initialState, type Notice } from '../../shared/ipc';
import type { SliceContext } from './slice';

export interface ShownNotice {
  key: string;
  message: string;
  kind: Notice['kind'] | 'no-tray';
}

export interface NoticesSlice {
  notices: Notice[];
  dismissedNotices: readonly string[];
  dismissNotice: (key: string) => void;
}

export const NO_TRAY_NOTICE: ShownNotice = {
  key: 'no-tray',
  kind: 'no-tray',
  message: 'No system tray was found, so closing this window minimises it instead of hiding it.',
};

/** The notices to show, each with a key that stays the same across patches. */
export function visibleNotices(
  notices: readonly Notice[],
  dismissed: readonly string[],
  trayAvailable: boolean,
): ShownNotice[] {
  const seen = new Map<string, number>();
  const shown: ShownNotice[] = [];
  for (const notice of notices) {
    const base = `${notice.kind}:${notice.message}`;
    const occurrence = (seen.get(base) ?? 0) + 1;
    seen.set(base, occurrence);
    shown.push({ key: `${base}#${occurrence}`, message: notice.message, kind: notice.kind });
  }
  if (!trayAvailable) shown.push(NO_TRAY_NOTICE);
  return shown.filter((n) => !dismissed.includes(n.key));
}

export function createNoticesSlice(ctx: SliceContext): NoticesSlice {
  return {
    notices: initialState.notices,
    dismissedNotices: [],
    dismissNotice(key) {
      const dismissed = ctx.get().dismissedNotices;
      if (!dismissed.includes(key)) ctx.set({ dismissedNotices: [...dismissed, key] });
    },
  };
}
