// Settings: every setting of the settings list, grouped as declared, plus the views and tools that are
// more than one control (split tunnelling, importing relays, diagnostics).
import type { ReactNode } from 'react';
import { SETTING_GROUP_TITLES, settingsByGroup } from '../../shared/settings';
import { ErrorBanner } from '../components/ErrorBanner';
import { ReadOnlyBanner } from '../components/ReadOnlyBanner';
import { ViewHeader } from '../components/ViewHeader';
import { useApp } from '../store/store-context';
import { ImportPanel } from './settings/ImportPanel';
import { SettingRow } from './settings/SettingRow';

const GROUPS = settingsByGroup();

export function SettingsView(): ReactNode {
  const closeView = useApp((s) => s.closeView);
  const helper = useApp((s) => s.helper);
  const trayAvailable = useApp((s) => s.trayAvailable);
  const openView = useApp((s) => s.openView);
  const splitTunnel = useApp((s) => s.splitTunnel);

  return (
    <main className="view view--settings" aria-labelledby="settings-title">
      <ViewHeader title="Settings" titleId="settings-title" onBack={closeView} />
      <ErrorBanner />
      <div className="view-body settings-body">
        <ReadOnlyBanner />
        {GROUPS.map(({ group, keys }) => (
          <section key={group} className="settings-group" aria-labelledby={`${group}-heading`}>
            <h2 id={`${group}-heading`} className="section-title">
              {SETTING_GROUP_TITLES[group]}
            </h2>
            {keys.map((key) => (
              <SettingRow key={key} settingKey={key} />
            ))}
            {group === 'tunnel' && (
              <button type="button" className="row-button" onClick={() => openView('split-tunnel')}>
                <span>Split tunnelling</span>
                <span className="row-button-value">
                  {splitTunnel === undefined ? '' : splitTunnel.enabled ? 'On' : 'Off'}
                </span>
              </button>
            )}
          </section>
        ))}
        <section className="settings-group" aria-labelledby="relays-heading">
          <h2 id="relays-heading" className="section-title">
            Relays
          </h2>
          <ImportPanel />
        </section>
        <section className="settings-group" aria-labelledby="support-heading">
          <h2 id="support-heading" className="section-title">
            Support
          </h2>
          <button type="button" className="row-button" onClick={() => openView('diagnostics')}>
            <span>Diagnostics</span>
            <span className="row-button-value">Leak test and logs</span>
          </button>
        </section>
        <section className="settings-group about" aria-label="About">
          {helper.kind === 'connected' && <p className="about-line">Helper version {helper.version}</p>}
          {!trayAvailable && (
            <p className="about-line">
              No system tray was found: closing the window minimises it instead of hiding it.
            </p>
          )}
        </section>
      </div>
    </main>
  );
}
