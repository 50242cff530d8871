// A labelled one-of-several choice as radio buttons drawn as a segmented control (arrow keys move).
import { useId, type ReactNode } from 'react';

interface ChoiceGroupProps {
  label: string;
  description: ReactNode;
  options: readonly { value: string; label: string }[];
  value: string | undefined;
  disabled?: boolean;
  onChange: (value: string) => void;
}

export function ChoiceGroup({
  label,
  description,
  options,
  value,
  disabled = false,
  onChange,
}: ChoiceGroupProps): ReactNode {
  const id = useId();
  return (
    <div className="setting">
      <div className="setting-row">
        <span id={`${id}-label`} className="setting-label">
          {label}
        </span>
        <div
          className="segmented setting-segmented"
          role="radiogroup"
          aria-labelledby={`${id}-label`}
          aria-describedby={`${id}-description`}
        >
          {options.map((option) => (
            <label key={option.value} className="segmented-option">
              <input
                type="radio"
                name={id}
                value={option.value}
                checked={value === option.value}
                disabled={disabled || value === undefined}
                onChange={() => onChange(option.value)}
              />
              <span>{option.label}</span>
            </label>
          ))}
        </div>
      </div>
      <p id={`${id}-description`} className="setting-description">
        {description}
      </p>
    </div>
  );
}
