// A labelled on/off switch (role="switch") with a one-line explanation tied to it by aria-describedby.
import { useId, type ReactNode } from 'react';

interface SwitchProps {
  label: string;
  description: ReactNode;
  checked: boolean | undefined;
  disabled?: boolean;
  onChange: (checked: boolean) => void;
}

export function Switch({ label, description, checked, disabled = false, onChange }: SwitchProps): ReactNode {
  const id = useId();
  const on = checked === true;
  return (
    <div className="setting">
      <div className="setting-row">
        <label className="setting-label" htmlFor={`${id}-switch`}>
          {label}
        </label>
        <button
          id={`${id}-switch`}
          type="button"
          role="switch"
          aria-checked={on}
          aria-describedby={`${id}-description`}
          disabled={disabled || checked === undefined}
          className="switch"
          onClick={() => onChange(!on)}
        >
          <span className="switch-thumb" aria-hidden="true" />
        </button>
      </div>
      <p id={`${id}-description`} className="setting-description">
        {description}
      </p>
    </div>
  );
}
