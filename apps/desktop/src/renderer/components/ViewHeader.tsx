// The header of a secondary view: a Back control and the view's heading (which takes focus on open).
import type { ReactNode } from 'react';
import { useEscapeKey, useFocusOnMount } from './hooks';
import { BackIcon } from './icons';

export function ViewHeader({
  title,
  titleId,
  onBack,
}: {
  title: string;
  titleId: string;
  onBack: () => void;
}): ReactNode {
  const heading = useFocusOnMount<HTMLHeadingElement>();
  useEscapeKey(onBack);
  return (
    <header className="view-header">
      <button type="button" className="icon-button" onClick={onBack} aria-label="Back">
        <BackIcon />
      </button>
      <h1 id={titleId} ref={heading} tabIndex={-1} className="view-title">
        {title}
      </h1>
    </header>
  );
}
