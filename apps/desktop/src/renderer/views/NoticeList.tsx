// Notices worth a look (settings recovered, unexpected disconnect, no tray), each dismissible.
import { useMemo, type ReactNode } from 'react';
import { CloseIcon } from '../components/icons';
import { visibleNotices } from '../store/notices-slice';
import { useApp } from '../store/store-context';

export function NoticeList(): ReactNode {
  const notices = useApp((s) => s.notices);
  const dismissed = useApp((s) => s.dismissedNotices);
  const trayAvailable = useApp((s) => s.trayAvailable);
  const dismissNotice = useApp((s) => s.dismissNotice);
  const shown = useMemo(
    () => visibleNotices(notices, dismissed, trayAvailable),
    [notices, dismissed, trayAvailable],
  );
  if (shown.length === 0) return null;

  return (
    <ul className="notices" aria-label="Notices">
      {shown.map((notice) => (
        <li
          key={notice.key}
          className={`banner banner--${notice.kind === 'unexpected-disconnect' ? 'warning' : 'info'}`}
        >
          <p className="banner-text">{notice.message}</p>
          <button
            type="button"
            className="icon-button icon-button--small"
            onClick={() => dismissNotice(notice.key)}
            aria-label={`Dismiss notice: ${notice.message}`}
          >
            <CloseIcon />
          </button>
        </li>
      ))}
    </ul>
  );
}
