// A card for a tool that runs on request (import, leak test, problem report): its name and button on
// one line, what it does below, and what it found (in a polite live region) under that.
import type { ReactNode } from 'react';

interface ToolCardProps {
  label: string;
  /** The button (or controls) that runs it. */
  action: ReactNode;
  description: ReactNode;
  /** The outcome; announced when it changes. */
  children?: ReactNode;
}

export function ToolCard({ label, action, description, children }: ToolCardProps): ReactNode {
  return (
    <div className="setting">
      <div className="setting-row">
        <span className="setting-label">{label}</span>
        {action}
      </div>
      <p className="setting-description">{description}</p>
      <div aria-live="polite">{children}</div>
    </div>
  );
}
