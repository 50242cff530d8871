// The main view: state, the big connect button, the location, details and notices.
import { useEffect, useRef, type ReactNode, type RefObject } from 'react';
import { ErrorBanner } from '../components/ErrorBanner';
import { ReadOnlyBanner, useControlRefusal } from '../components/ReadOnlyBanner';
import { GearIcon, GlobeIcon, ChevronIcon } from '../components/icons';
import { buttonsFor, displayStateOf, type ActionButton } from '../model/display-state';
import { describeConstraint } from '../model/location-names';
import { effectiveSetting } from '../store/settings-slice';
import { useApp } from '../store/store-context';
import { ConnectionDetails } from './ConnectionDetails';
import { NoticeList } from './NoticeList';
import { StatusPanel } from './StatusPanel';
import { TrafficGraph } from './TrafficGraph';

export function MainView(): ReactNode {
  const openView = useApp((s) => s.openView);
  const returnedFrom = useApp((s) => s.returnedFrom);
  const connected = useApp((s) => s.tunnel.state === 'connected' && s.tunnel.tunnel !== undefined);
  const settingsButton = useRef<HTMLButtonElement>(null);
  const locationButton = useRef<HTMLButtonElement>(null);

  // Back from a view: focus returns to the control that opened it.
  useEffect(() => {
    if (returnedFrom === 'settings') settingsButton.current?.focus();
    if (returnedFrom === 'location') locationButton.current?.focus();
  }, [returnedFrom]);

  return (
    <main className="view view--main" aria-labelledby="main-title">
      <header className="app-header">
        <h1 id="main-title" className="app-title">
          Sluice
        </h1>
        <button
          ref={settingsButton}
          type="button"
          className="icon-button"
          aria-label="Settings"
          onClick={() => openView('settings')}
        >
          <GearIcon />
        </button>
      </header>
      <div className="view-body main-body">
        <NoticeList />
        <ReadOnlyBanner />
        <ErrorBanner />
        <StatusPanel />
        <ConnectionDetails />
        {connected && <TrafficGraph />}
      </div>
      <footer className="main-actions">
        <LocationButton buttonRef={locationButton} onOpen={() => openView('location')} />
        <TunnelButtons />
      </footer>
    </main>
  );
}

function LocationButton({
  buttonRef,
  onOpen,
}: {
  buttonRef: RefObject<HTMLButtonElement | null>;
  onOpen: () => void;
}): ReactNode {
  const location = useApp((s) => effectiveSetting(s, 'location'));
  const relayList = useApp((s) => s.relayList);
  return (
    <button ref={buttonRef} type="button" className="location-button" onClick={onOpen}>
      <GlobeIcon className="location-globe" />
      <span className="location-text">
        <span className="location-label">Location</span>
        <span className="location-value">
          {location ? describeConstraint(location, relayList) : 'Loading…'}
        </span>
      </span>
      <ChevronIcon className="location-chevron" />
    </button>
  );
}

function TunnelButtons(): ReactNode {
  const tunnel = useApp((s) => s.tunnel);
  const optimistic = useApp((s) => s.optimisticTunnel?.state);
  const runTunnelAction = useApp((s) => s.runTunnelAction);
  const refused = useControlRefusal() !== undefined;
  const { primary, secondary } = buttonsFor(displayStateOf(tunnel, optimistic));
  const button = (model: ActionButton, size: 'large' | 'small'): ReactNode => (
    <button
      type="button"
      className={`action-button action-button--${model.variant} action-button--${size}`}
      disabled={refused}
      onClick={() => runTunnelAction(model.action)}
    >
      {model.label}
    </button>
  );
  return (
    <div className="tunnel-buttons">
      {button(primary, 'large')}
      {secondary && button(secondary, 'small')}
    </div>
  );
}
