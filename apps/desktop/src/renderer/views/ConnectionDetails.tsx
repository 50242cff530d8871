// The expandable details of the live tunnel: relay, endpoint, device and live counters.
import { formatBytes } from '@sluice/api/domain';
import { useId, type ReactNode } from 'react';
import { ChevronIcon } from '../components/icons';
import { describeRelayPlace } from '../model/location-names';
import { formatHandshakeAge } from '../model/format';
import { useApp } from '../store/store-context';

export function ConnectionDetails(): ReactNode {
  const tunnel = useApp((s) => s.tunnel);
  const relayList = useApp((s) => s.relayList);
  const open = useApp((s) => s.detailsOpen);
  const toggleDetails = useApp((s) => s.toggleDetails);
  const panelId = useId();
  const { relay, tunnel: device } = tunnel;
  if (!relay && !device) return null;

  return (
    <section className="details">
      <button
        type="button"
        className="details-toggle"
        aria-expanded={open}
        aria-controls={panelId}
        onClick={toggleDetails}
      >
        <ChevronIcon className={open ? 'chevron chevron--open' : 'chevron'} />
        Connection details
      </button>
      {open && (
        <dl id={panelId} className="details-list" aria-label="Connection details">
          {relay && (
            <>
              <Item term="Relay" value={relay.hostname} />
              <Item term="Location" value={describeRelayPlace(relay, relayList)} />
              <Item term="Endpoint" value={relay.endpoint} />
            </>
          )}
          {device && (
            <>
              <Item term="Interface" value={device.interface} />
              <Item term="MTU" value={String(device.mtu)} />
              <Item term="Received" value={formatBytes(device.rxBytes)} />
              <Item term="Sent" value={formatBytes(device.txBytes)} />
              <Item term="Last handshake" value={formatHandshakeAge(device.lastHandshakeAgeMs)} />
            </>
          )}
        </dl>
      )}
    </section>
  );
}

function Item({ term, value }: { term: string; value: string }): ReactNode {
  return (
    <div className="details-item">
      <dt>{term}</dt>
      <dd>{value}</dd>
    </div>
  );
}
