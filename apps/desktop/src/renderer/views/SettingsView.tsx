// Settings: the helper's lockdown, LAN and auto-connect switches, and the app's launch on login.
import type { ReactNode } from 'react';
import { ErrorBanner } from '../components/ErrorBanner';
import { Switch } from '../components/Switch';
import { ViewHeader } from '../components/ViewHeader';
import { effectiveSetting } from '../store/settings-slice';
import { useApp } from '../store/store-context';

export function SettingsView(): ReactNode {
  const closeView = useApp((s) => s.closeView);
  const changeSetting = useApp((s) => s.changeSetting);
  const lockdownMode = useApp((s) => effectiveSetting(s, 'lockdownMode'));
  const allowLan = useApp((s) => effectiveSetting(s, 'allowLan'));
  const autoConnect = useApp((s) => effectiveSetting(s, 'autoConnect'));
  const launchOnLogin = useApp((s) => effectiveSetting(s, 'launchOnLogin'));
  const helper = useApp((s) => s.helper);
  const trayAvailable = useApp((s) => s.trayAvailable);
  const openView = useApp((s) => s.openView);
  const splitTunnel = useApp((s) => s.splitTunnel);

  return (
    <main className="view view--settings" aria-labelledby="settings-title">
      <ViewHeader title="Settings" titleId="settings-title" onBack={closeView} />
      <ErrorBanner />
      <div className="view-body settings-body">
        <section className="settings-group" aria-labelledby="security-heading">
          <h2 id="security-heading" className="section-title">
            Security
          </h2>
          <Switch
            label="Lockdown mode"
            description="Block all internet traffic whenever Sluice is not connected, even when disconnected or quit."
            checked={lockdownMode}
            onChange={(on) => changeSetting('lockdownMode', on)}
          />
          <Switch
            label="Allow LAN"
            description="Reach printers, file shares and other devices on your local network while the tunnel or lockdown is on."
            checked={allowLan}
            onChange={(on) => changeSetting('allowLan', on)}
          />
        </section>
        <section className="settings-group" aria-labelledby="startup-heading">
          <h2 id="startup-heading" className="section-title">
            Startup
          </h2>
          <Switch
            label="Auto-connect"
            description="Connect as soon as the helper starts at boot, before anyone logs in or opens this app."
            checked={autoConnect}
            onChange={(on) => changeSetting('autoConnect', on)}
          />
          <Switch
            label="Launch on login"
            description="Open this app in the tray when you log in. On its own it does not connect; that is what auto-connect does."
            checked={launchOnLogin}
            onChange={(on) => changeSetting('launchOnLogin', on)}
          />
        </section>
        <section className="settings-group" aria-labelledby="split-heading">
          <h2 id="split-heading" className="section-title">
            Split tunnelling
          </h2>
          <button type="button" className="row-button" onClick={() => openView('split-tunnel')}>
            <span>Programs outside the tunnel</span>
            <span className="row-button-value">
              {splitTunnel === undefined ? '' : splitTunnel.enabled ? 'On' : 'Off'}
            </span>
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
