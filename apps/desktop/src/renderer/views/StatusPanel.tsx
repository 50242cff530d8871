// The connection state in words and colour, announced politely when it changes.
import type { ReactNode } from 'react';
import { displayStateOf, showsLockdownHint, wordsFor } from '../model/display-state';
import { describeRelayPlace } from '../model/location-names';
import { useApp } from '../store/store-context';
import { LockIcon } from '../components/icons';

export function StatusPanel(): ReactNode {
  const tunnel = useApp((s) => s.tunnel);
  const optimistic = useApp((s) => s.optimisticTunnel?.state);
  const relayList = useApp((s) => s.relayList);
  const state = displayStateOf(tunnel, optimistic);
  const words = wordsFor(state, tunnel.lockedDown);
  // While guessing, the helper's relay belongs to the old state: show none.
  const relay = optimistic ? undefined : tunnel.relay;

  return (
    <section className={`status status--${words.tone}`} aria-label="Connection status">
      <div role="status" aria-live="polite" aria-atomic="true" className="status-live" data-state={state}>
        <p className="status-title">{words.title}</p>
        <p className="status-detail">{words.detail}</p>
      </div>
      {relay && (
        <p className="status-relay">
          <span className="status-hostname">{relay.hostname}</span>
          <span className="status-place">{describeRelayPlace(relay, relayList)}</span>
        </p>
      )}
      {(state === 'blocked' || state === 'error') && tunnel.error && (
        <p className="status-error">{tunnel.error.message}</p>
      )}
      {showsLockdownHint(tunnel, state) && (
        <p className="hint hint--lockdown">
          <LockIcon className="hint-icon" />
          Your traffic is blocked (lockdown)
        </p>
      )}
    </section>
  );
}
