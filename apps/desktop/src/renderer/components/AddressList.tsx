// A list of addresses or ranges with Remove beside each, a field to add one (checked before it is sent)
// and one-click suggestions. Used for bypass ranges and custom DNS servers.
import { useId, useState, type ReactNode } from 'react';

interface AddressListProps {
  /** What one item is called ("range", "server"), for button names. */
  itemLabel: string;
  items: readonly string[];
  placeholder: string;
  /** Throws with what is accepted; returns the canonical text. */
  validateItem: (text: string) => string;
  suggestions?: readonly { value: string; label: string }[];
  disabled?: boolean;
  onChange: (items: string[]) => void;
  /** The field's accessible name. */
  fieldLabel: string;
}

function reasonOf(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  // "field: message" from ValidationError: the field is the label the user already sees.
  return message.replace(/^[^:]{1,40}: /, '');
}

export function AddressList(props: AddressListProps): ReactNode {
  const {
    itemLabel,
    items,
    placeholder,
    validateItem,
    suggestions = [],
    disabled = false,
    onChange,
    fieldLabel,
  } = props;
  const id = useId();
  const [text, setText] = useState('');
  const [problem, setProblem] = useState<string | undefined>();

  const add = (raw: string): void => {
    let item: string;
    try {
      item = validateItem(raw);
    } catch (error) {
      setProblem(reasonOf(error));
      return;
    }
    setProblem(undefined);
    setText('');
    if (!items.includes(item)) onChange([...items, item]);
  };
  const offered = suggestions.filter((suggestion) => !items.includes(suggestion.value));

  return (
    <div className="address-list">
      {items.length > 0 && (
        <ul className="plain-list" aria-label={`${fieldLabel}: current`}>
          {items.map((item) => (
            <li key={item} className="list-line">
              <span className="list-line-text mono">{item}</span>
              <button
                type="button"
                className="text-button"
                disabled={disabled}
                aria-label={`Remove ${itemLabel} ${item}`}
                onClick={() => onChange(items.filter((other) => other !== item))}
              >
                Remove
              </button>
            </li>
          ))}
        </ul>
      )}
      <form
        className="add-row"
        onSubmit={(event) => {
          event.preventDefault();
          add(text);
        }}
      >
        <input
          className="text-field"
          aria-label={fieldLabel}
          aria-invalid={problem !== undefined}
          aria-describedby={`${id}-problem`}
          autoComplete="off"
          spellCheck={false}
          placeholder={placeholder}
          value={text}
          disabled={disabled}
          onChange={(event) => {
            setText(event.target.value);
            setProblem(undefined);
          }}
        />
        <button type="submit" className="small-button" disabled={disabled || text.trim() === ''}>
          Add
        </button>
      </form>
      <p id={`${id}-problem`} className="field-problem" role={problem ? 'alert' : undefined}>
        {problem ?? ''}
      </p>
      {offered.length > 0 && (
        <div className="suggestions">
          {offered.map((suggestion) => (
            <button
              key={suggestion.value}
              type="button"
              className="chip"
              disabled={disabled}
              onClick={() => add(suggestion.value)}
            >
              + {suggestion.label}
            </button>
          ))}
        </div>
      )}
    </div>
  );
}
