// Split tunnelling: the switch, how this system enforces it (or why it cannot), the programs always
// excluded and the processes outside the tunnel now (each with a way to put it back), and the picker.
import type { ReactNode } from 'react';
import type { SplitTunnelStatus } from '@sluice/api/domain';
import { ErrorBanner } from '../components/ErrorBanner';
import { ReadOnlyBanner, useControlRefusal } from '../components/ReadOnlyBanner';
import { Switch } from '../components/Switch';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../store/store-context';
import { AppPicker } from './split-tunnel/AppPicker';

/** How exclusion works here, in words a person can act on. */
export function mechanismWords(status: SplitTunnelStatus): string {
  switch (status.mechanism) {
    case 'cgroup2':
      return 'Excluded programs reach the network directly, as if Sluice were not running (enforced with cgroup v2).';
    case 'net_cls':
      return 'Excluded programs reach the network directly, as if Sluice were not running (enforced with cgroup v1 net_cls).';
    case 'unavailable':
      return `Split tunnelling cannot work on this system: ${status.detail || 'the helper did not say why'}.`;
  }
}

export function SplitTunnelView(): ReactNode {
  const closeView = useApp((s) => s.closeView);
  const status = useApp((s) => s.splitTunnel);
  // A refused user sees everything but changes nothing: the controls wait as if busy.
  const refused = useControlRefusal() !== undefined;
  const busy = useApp((s) => s.splitTunnelBusy) || refused;
  const setEnabled = useApp((s) => s.setSplitTunnelEnabled);
  const removeApp = useApp((s) => s.removeSplitTunnelApp);
  const removeProcess = useApp((s) => s.removeSplitTunnelProcess);
  const unavailable = status?.mechanism === 'unavailable';

  return (
    <main className="view view--split-tunnel" aria-labelledby="split-tunnel-title">
      <ViewHeader title="Split tunnelling" titleId="split-tunnel-title" onBack={closeView} />
      <ErrorBanner />
      <div className="view-body settings-body">
        <ReadOnlyBanner />
        <section className="settings-group" aria-labelledby="split-tunnel-switch-heading">
          <h2 id="split-tunnel-switch-heading" className="section-title">
            Exclude programs from the tunnel
          </h2>
          <Switch
            label="Split tunnelling"
            description={
              status
                ? mechanismWords(status)
                : 'Waiting for the helper to say how split tunnelling works here.'
            }
            checked={status?.enabled}
            disabled={busy || (unavailable && !status.enabled)}
            onChange={setEnabled}
          />
        </section>
        {status && (
          <>
            <section className="settings-group" aria-labelledby="split-tunnel-apps-heading">
              <h2 id="split-tunnel-apps-heading" className="section-title">
                Always excluded
              </h2>
              {status.apps.length === 0 ? (
                <p className="empty-line">No programs. Choose Always exclude for one below.</p>
              ) : (
                <ul className="plain-list" aria-label="Programs always excluded">
                  {status.apps.map((path) => (
                    <li key={path} className="list-line">
                      <span className="list-line-text">{path}</span>
                      <button
                        type="button"
                        className="text-button"
                        disabled={busy}
                        onClick={() => removeApp(path)}
                        aria-label={`Stop excluding ${path}`}
                      >
                        Remove
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            <section className="settings-group" aria-labelledby="split-tunnel-processes-heading">
              <h2 id="split-tunnel-processes-heading" className="section-title">
                Outside the tunnel now
              </h2>
              {status.processes.length === 0 ? (
                <p className="empty-line">No processes.</p>
              ) : (
                <ul className="plain-list" aria-label="Processes outside the tunnel">
                  {status.processes.map((p) => (
                    <li key={p.pid} className="list-line">
                      <span className="list-line-text">
                        <span className="pid">{p.pid}</span> {p.command}
                      </span>
                      <button
                        type="button"
                        className="text-button"
                        disabled={busy}
                        onClick={() => removeProcess(p.pid)}
                        aria-label={`Put process ${p.pid} back in the tunnel`}
                      >
                        Put back
                      </button>
                    </li>
                  ))}
                </ul>
              )}
            </section>
            {status.mechanism !== 'unavailable' && <AppPicker />}
          </>
        )}
      </div>
    </main>
  );
}
