// When this user may not change the helper (not root, not in group "sluice"), the views say so once, at
// the top, with the helper's reason; the controls that would be refused are disabled.
import type { ReactNode } from 'react';
import type { AppStore } from '../store/app-store';
import { useApp } from '../store/store-context';

/** Why changes to the helper would be refused, or undefined when they would not (or it is not known). */
export function controlRefusal(state: Pick<AppStore, 'helper'>): string | undefined {
  const { helper } = state;
  return helper.kind === 'connected' && helper.control?.allowed === false ? helper.control.reason : undefined;
}

export function useControlRefusal(): string | undefined {
  return useApp(controlRefusal);
}

export function ReadOnlyBanner(): ReactNode {
  const reason = useControlRefusal();
  if (!reason) return null;
  return (
    <div className="banner banner--warning read-only" role="note" aria-label="Read only">
      <p className="banner-text">
        <strong>Read only.</strong> You can see everything here, but {reason}.
      </p>
    </div>
  );
}
