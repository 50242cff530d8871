// The app-exclusion picker: installed apps from the desktop's launchers (read by the trusted side), search
// as you type, and for each app Launch excluded and Always exclude; Browse adds any other program.
import { useVirtualizer } from '@tanstack/react-virtual';
import { useEffect, useMemo, useRef, useState, type ReactNode } from 'react';
import type { InstalledAppView } from '../../../shared/ipc';
import { searchApps, searchIndex } from '../../model/app-search';
import { useControlRefusal } from '../../components/ReadOnlyBanner';
import { useApp } from '../../store/store-context';

const ROW_ESTIMATE_PX = 64;

function AppIcon({ app }: { app: InstalledAppView }): ReactNode {
  if (app.icon) return <img className="app-icon" src={app.icon} alt="" width={32} height={32} />;
  return (
    <span className="app-icon app-icon--letter" aria-hidden="true">
      {app.name.slice(0, 1).toUpperCase()}
    </span>
  );
}

function AppRow({ app }: { app: InstalledAppView }): ReactNode {
  const enabled = useApp((s) => s.splitTunnel?.enabled === true);
  const ruled = useApp((s) => s.splitTunnel?.apps.includes(app.executable) === true);
  const refused = useControlRefusal() !== undefined;
  const busy = useApp((s) => s.splitTunnelBusy) || refused;
  const launch = useApp((s) => s.launches[app.id]);
  const launchExcluded = useApp((s) => s.launchExcluded);
  const addApp = useApp((s) => s.addSplitTunnelApp);
  const describedBy = `${app.id}-detail`;
  return (
    <div className="app-row" role="listitem" aria-label={app.name}>
      <AppIcon app={app} />
      <div className="app-text">
        <span className="app-name">{app.name}</span>
        <span id={describedBy} className="app-detail">
          {app.comment ?? app.executable}
        </span>
        {app.singleInstance && (
          <span className="app-warning">
            Opens in a copy that is already running: close it first, or its traffic stays in the tunnel.
          </span>
        )}
        {launch?.kind === 'started' && (
          <span className="app-status app-status--ok">Started outside the tunnel.</span>
        )}
        {launch?.kind === 'failed' && (
          <span className="app-status app-status--failed" role="alert">
            Could not start it: {launch.message}
          </span>
        )}
      </div>
      <div className="app-actions">
        <button
          type="button"
          className="small-button"
          disabled={!enabled || refused || launch?.kind === 'busy'}
          aria-label={`Launch ${app.name} excluded`}
          onClick={() => launchExcluded(app.id)}
        >
          {launch?.kind === 'busy' ? 'Starting…' : 'Launch excluded'}
        </button>
        <button
          type="button"
          className="small-button"
          disabled={ruled || busy || !app.executable.startsWith('/')}
          aria-label={ruled ? `${app.name} is always excluded` : `Always exclude ${app.name}`}
          onClick={() => addApp(app.executable)}
        >
          {ruled ? 'Always excluded' : 'Always exclude'}
        </button>
      </div>
    </div>
  );
}

function VirtualAppList({ apps }: { apps: readonly InstalledAppView[] }): ReactNode {
  const scroller = useRef<HTMLDivElement>(null);
  const virtualizer = useVirtualizer({
    count: apps.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_ESTIMATE_PX,
    overscan: 6,
    getItemKey: (index) => apps[index]?.id ?? index,
  });
  return (
    <div ref={scroller} className="app-list" role="list" aria-label="Installed programs">
      <div className="app-list-inner" style={{ height: virtualizer.getTotalSize() }}>
        {virtualizer.getVirtualItems().map((item) => {
          const app = apps[item.index];
          if (!app) return null;
          return (
            <div
              key={item.key}
              ref={virtualizer.measureElement}
              data-index={item.index}
              className="app-list-item"
              style={{ transform: `translateY(${item.start}px)` }}
            >
              <AppRow app={app} />
            </div>
          );
        })}
      </div>
    </div>
  );
}

export function AppPicker(): ReactNode {
  const installed = useApp((s) => s.installedApps);
  const chosen = useApp((s) => s.chosenApps);
  const browseProblem = useApp((s) => s.browseProblem);
  const load = useApp((s) => s.loadInstalledApps);
  const browse = useApp((s) => s.browseForProgram);
  const enabled = useApp((s) => s.splitTunnel?.enabled === true);
  const [query, setQuery] = useState('');
  useEffect(() => {
    if (installed.kind === 'idle') load();
  }, [installed.kind, load]);
  const index = useMemo(
    () => searchIndex([...chosen, ...(installed.kind === 'done' ? installed.value : [])]),
    [chosen, installed],
  );
  const shown = useMemo(() => searchApps(index, query), [index, query]);

  return (
    <section className="settings-group" aria-labelledby="picker-heading">
      <h2 id="picker-heading" className="section-title">
        Add a program
      </h2>
      {!enabled && (
        <p className="hint-line">Turn split tunnelling on to launch programs outside the tunnel.</p>
      )}
      <div className="picker-tools">
        <input
          type="search"
          className="search"
          aria-label="Search installed programs"
          placeholder="Search programs"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
        />
        <button type="button" className="small-button" onClick={browse}>
          Browse…
        </button>
      </div>
      {browseProblem && (
        <p className="field-problem" role="alert">
          {browseProblem}
        </p>
      )}
      {installed.kind === 'busy' && <p className="empty-line">Reading the installed programs…</p>}
      {installed.kind === 'failed' && (
        <p className="field-problem" role="alert">
          The installed programs could not be read: {installed.message}
        </p>
      )}
      {(installed.kind === 'done' || chosen.length > 0) &&
        (shown.length === 0 ? (
          <p className="empty-line">
            {query
              ? `No program matches “${query}”. Use Browse to pick one by its file.`
              : 'No programs found.'}
          </p>
        ) : (
          <>
            <p className="visually-hidden" aria-live="polite">
              {shown.length} program{shown.length === 1 ? '' : 's'}
            </p>
            <VirtualAppList apps={shown} />
          </>
        ))}
    </section>
  );
}
