// A whole number in a range, or automatic: a text field whose empty value means automatic. The value is
// checked as typed and sent on Enter or when the field loses focus; Escape puts the stored value back.
import { useEffect, useId, useState, type ReactNode } from 'react';

interface NumberOrAutoProps {
  label: string;
  description: ReactNode;
  value: number | null | undefined;
  min: number;
  max: number;
  autoLabel: string;
  placeholder: string;
  disabled?: boolean;
  onChange: (value: number | null) => void;
}

/** The number the text means (null: automatic), or why it is refused. */
export function parseNumberOrAuto(
  text: string,
  min: number,
  max: number,
): { ok: true; value: number | null } | { ok: false; reason: string } {
  const trimmed = text.trim();
  if (trimmed === '') return { ok: true, value: null };
  if (!/^\d{1,6}$/.test(trimmed))
    return {
      ok: false,
      reason: `Use a whole number from ${min} to ${max}, or leave it empty for automatic.`,
    };
  const value = Number(trimmed);
  if (value < min || value > max)
    return { ok: false, reason: `${value} is outside ${min}–${max}; leave it empty for automatic.` };
  return { ok: true, value };
}

export function NumberOrAuto(props: NumberOrAutoProps): ReactNode {
  const { label, description, value, min, max, autoLabel, placeholder, disabled = false, onChange } = props;
  const id = useId();
  const stored = value === null || value === undefined ? '' : String(value);
  const [text, setText] = useState(stored);
  const [editing, setEditing] = useState(false);
  useEffect(() => {
    if (!editing) setText(stored);
  }, [stored, editing]);
  const parsed = parseNumberOrAuto(text, min, max);
  const commit = (): void => {
    // Refused text stays, with its reason, until it is fixed or Escape puts the stored value back.
    if (!parsed.ok) return;
    setEditing(false);
    if (parsed.value !== (value ?? null)) onChange(parsed.value);
  };
  return (
    <div className="setting">
      <div className="setting-row">
        <label className="setting-label" htmlFor={`${id}-input`}>
          {label}
        </label>
        <div className="number-field">
          <input
            id={`${id}-input`}
            className="text-field text-field--number"
            inputMode="numeric"
            autoComplete="off"
            spellCheck={false}
            placeholder={autoLabel}
            value={text}
            disabled={disabled || value === undefined}
            aria-invalid={!parsed.ok}
            aria-describedby={`${id}-description ${id}-problem`}
            onChange={(event) => {
              setEditing(true);
              setText(event.target.value);
            }}
            onBlur={commit}
            onKeyDown={(event) => {
              if (event.key === 'Enter') commit();
              if (event.key === 'Escape') {
                setEditing(false);
                setText(stored);
              }
            }}
          />
          {stored !== '' && (
            <button type="button" className="text-button" disabled={disabled} onClick={() => onChange(null)}>
              Use {autoLabel.toLowerCase()}
            </button>
          )}
        </div>
      </div>
      <p id={`${id}-description`} className="setting-description">
        {description} Empty: {autoLabel.toLowerCase()} (e.g. {placeholder}).
      </p>
      <p id={`${id}-problem`} className="field-problem" role={parsed.ok ? undefined : 'alert'}>
        {parsed.ok ? '' : parsed.reason}
      </p>
    </div>
  );
}
