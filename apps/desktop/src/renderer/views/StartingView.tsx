// Shown until the helper has answered for the first time.
import type { ReactNode } from 'react';
import { useApp } from '../store/store-context';

export function StartingView(): ReactNode {
  const loadError = useApp((s) => s.loadError);
  return (
    <main className="view view--starting" aria-labelledby="starting-title">
      <div className="view-body problem-body">
        <h1 id="starting-title" className="problem-title">
          Sluice
        </h1>
        <p role="status" aria-live="polite" className="problem-waiting">
          <span className="spinner" aria-hidden="true" />
          Contacting the Sluice helper…
        </p>
        {loadError && <p className="problem-detail">Still trying: {loadError}</p>}
      </div>
    </main>
  );
}
