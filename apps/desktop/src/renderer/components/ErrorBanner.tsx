// The last failed request, in the helper's words, until dismissed.
import type { ReactNode } from 'react';
import { useApp } from '../store/store-context';
import { CloseIcon } from './icons';

export function ErrorBanner(): ReactNode {
  const error = useApp((s) => s.error);
  const dismissError = useApp((s) => s.dismissError);
  // The live region stays mounted so that screen readers announce the error when it appears.
  return (
    <div role="alert" className="error-banner-region">
      {error && (
        <div className="banner banner--error">
          <p className="banner-text">{error.message}</p>
          <button
            type="button"
            className="icon-button icon-button--small"
            onClick={dismissError}
            aria-label="Dismiss error"
          >
            <CloseIcon />
          </button>
        </div>
      )}
    </div>
  );
}
