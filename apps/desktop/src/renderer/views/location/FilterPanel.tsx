// Relay filters (provider, ownership). They are helper settings: each change is sent at once with
// setRelayFilters, because they decide which relays the helper may choose, not only what is listed.
import { OWNERSHIPS, type Ownership } from '@sluice/api/domain';
import type { ReactNode } from 'react';
import type { RelayFilters } from '../../model/location-tree';

const OWNERSHIP_LABELS: Record<Ownership, string> = { any: 'Any', owned: 'Owned', rented: 'Rented' };

export function activeFilterCount(filters: RelayFilters): number {
  return (filters.providers.length > 0 ? 1 : 0) + (filters.ownership === 'any' ? 0 : 1);
}

export function FilterPanel({
  id,
  filters,
  providers,
  onChange,
}: {
  id: string;
  filters: RelayFilters;
  providers: readonly { name: string; relayCount: number }[];
  onChange: (filters: RelayFilters) => void;
}): ReactNode {
  const toggleProvider = (name: string): void => {
    const chosen = filters.providers.includes(name)
      ? filters.providers.filter((p) => p !== name)
      : [...filters.providers, name];
    onChange({ ...filters, providers: chosen });
  };

  return (
    <section id={id} className="filter-panel" aria-label="Relay filters">
      <fieldset className="filter-group">
        <legend className="filter-legend">Ownership</legend>
        <div className="segmented">
          {OWNERSHIPS.map((ownership) => (
            <label key={ownership} className="segmented-option">
              <input
                type="radio"
                name="ownership"
                value={ownership}
                checked={filters.ownership === ownership}
                onChange={() => onChange({ ...filters, ownership })}
              />
              <span>{OWNERSHIP_LABELS[ownership]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset className="filter-group">
        <legend className="filter-legend">Providers</legend>
        <p className="filter-hint">
          {filters.providers.length === 0 ? 'All providers' : `${filters.providers.length} chosen`}
        </p>
        <ul className="provider-list">
          {providers.map((provider) => (
            <li key={provider.name} className="provider-item">
              <label className="checkbox">
                <input
                  type="checkbox"
                  checked={filters.providers.includes(provider.name)}
                  onChange={() => toggleProvider(provider.name)}
                />
                <span>{provider.name}</span>
              </label>
              <span className="provider-count" aria-hidden="true">
                {provider.relayCount}
              </span>
            </li>
          ))}
        </ul>
      </fieldset>
      {activeFilterCount(filters) > 0 && (
        <button
          type="button"
          className="text-button"
          onClick={() => onChange({ providers: [], ownership: 'any' })}
        >
          Clear filters
        </button>
      )}
    </section>
  );
}
