// Select location: search as you type, filters, favourites and the country -> city -> relay tree.
// Picking anything asks the helper for it and goes back to the main view.
import type { LocationConstraint, SluiceSettings } from '@sluice/api/domain';
import {
  useCallback,
  useDeferredValue,
  useEffect,
  useId,
  useMemo,
  useRef,
  useState,
  type KeyboardEvent,
  type ReactNode,
} from 'react';
import { ErrorBanner } from '../../components/ErrorBanner';
import { FilterIcon } from '../../components/icons';
import { ViewHeader } from '../../components/ViewHeader';
import {
  fastestRelay,
  formatLatency,
  latencyGrade,
  latencySourceOf,
  sortByLatency,
} from '../../model/latency';
import {
  cityKey,
  locationTreeFor,
  providersIn,
  searchLocationTree,
  type RelayFilters,
} from '../../model/location-tree';
import type { PendingSettings } from '../../store/settings-slice';
import { useApp } from '../../store/store-context';
import { FavouritesSection } from './FavouritesSection';
import { activeFilterCount, FilterPanel } from './FilterPanel';
import { LocationRow } from './rows';
import { LocationTree, type TreeContext } from './LocationTree';

const ANY_FILTERS: RelayFilters = { providers: [], ownership: 'any' };

function filtersOf(settings: SluiceSettings | undefined, pending: PendingSettings): RelayFilters {
  if (pending.relayFilters) return pending.relayFilters.value;
  if (!settings) return ANY_FILTERS;
  return { providers: settings.relayConstraints.providers, ownership: settings.relayConstraints.ownership };
}

/** The branches that hold the current choice start open, so it is in view. */
function initiallyExpanded(location: LocationConstraint | undefined): Set<string> {
  const open = new Set<string>();
  if (location?.country && (location.city || location.hostname)) open.add(location.country);
  if (location?.country && location.city && location.hostname)
    open.add(cityKey(location.country, location.city));
  return open;
}

/** Up and Down move between the rows' pick buttons, so a long list does not need endless Tabs. */
function moveFocus(event: KeyboardEvent<HTMLElement>, container: HTMLElement | null): void {
  if (event.key !== 'ArrowDown' && event.key !== 'ArrowUp') return;
  // Only from the search box and the rows: radio groups and the like keep their own arrow keys.
  const from = event.target as HTMLElement;
  if (!container || !(from.matches('input[type="search"]') || from.matches('button[data-nav]'))) return;
  const rows = [...container.querySelectorAll<HTMLButtonElement>('button[data-nav]:not(:disabled)')];
  if (rows.length === 0) return;
  event.preventDefault();
  const at = rows.indexOf(document.activeElement as HTMLButtonElement);
  const next =
    at === -1 ? 0 : event.key === 'ArrowDown' ? Math.min(at + 1, rows.length - 1) : Math.max(at - 1, 0);
  rows[next]?.focus();
}

type SortOrder = 'name' | 'latency';

export function SelectLocationView(): ReactNode {
  const relayList = useApp((s) => s.relayList);
  const settings = useApp((s) => s.settings);
  const pending = useApp((s) => s.pendingSettings);
  const favourites = useApp((s) => s.favourites);
  const closeView = useApp((s) => s.closeView);
  const pickLocation = useApp((s) => s.pickLocation);
  const changeSetting = useApp((s) => s.changeSetting);
  const toggleFavouriteCity = useApp((s) => s.toggleFavouriteCity);
  const toggleFavouriteRelay = useApp((s) => s.toggleFavouriteRelay);
  const latencyResults = useApp((s) => s.latency);
  const measuring = useApp((s) => s.latencyMeasuring);
  const latencyProblem = useApp((s) => s.latencyProblem);
  const measureLatency = useApp((s) => s.measureLatency);
  const latency = useMemo(() => latencySourceOf(latencyResults), [latencyResults]);
  const [order, setOrder] = useState<SortOrder>('name');
  // Opening the picker asks for fresh times; the helper answers from its minute-long cache when it can.
  useEffect(() => measureLatency(), [measureLatency]);

  const selected = pending.location?.value ?? settings?.relayConstraints.location;
  const filters = useMemo(() => filtersOf(settings, pending), [settings, pending]);
  const [query, setQuery] = useState('');
  // Typing stays responsive: the list follows a moment later when it is large.
  const deferredQuery = useDeferredValue(query);
  const [filtersOpen, setFiltersOpen] = useState(false);
  const [browseExpanded, setBrowseExpanded] = useState(() => initiallyExpanded(selected));
  // While searching, the search opens branches; the user's toggles override that until the text changes.
  const [searchOverrides, setSearchOverrides] = useState({ query: '', open: new Map<string, boolean>() });
  const filterPanelId = useId();
  const listRef = useRef<HTMLDivElement>(null);

  const byName = useMemo(() => locationTreeFor(relayList, filters), [relayList, filters]);
  const tree = useMemo(
    () => (order === 'latency' ? sortByLatency(byName, latency) : byName),
    [order, byName, latency],
  );
  const fastest = useMemo(() => fastestRelay(byName, latency), [byName, latency]);
  const providers = useMemo(() => providersIn(relayList), [relayList]);
  const search = useMemo(() => searchLocationTree(tree, deferredQuery), [tree, deferredQuery]);
  const searching = deferredQuery.trim() !== '';

  const isExpanded = useCallback(
    (key: string): boolean => {
      if (!searching) return browseExpanded.has(key);
      const override = searchOverrides.query === deferredQuery ? searchOverrides.open.get(key) : undefined;
      return override ?? search.expand.has(key);
    },
    [searching, browseExpanded, searchOverrides, deferredQuery, search],
  );

  const toggleExpanded = useCallback(
    (key: string): void => {
      if (searching) {
        const open = new Map(searchOverrides.query === deferredQuery ? searchOverrides.open : []);
        open.set(key, !isExpanded(key));
        setSearchOverrides({ query: deferredQuery, open });
        return;
      }
      const next = new Set(browseExpanded);
      if (!next.delete(key)) next.add(key);
      setBrowseExpanded(next);
    },
    [searching, searchOverrides, deferredQuery, isExpanded, browseExpanded],
  );

  const context: TreeContext = {
    selected,
    favourites,
    latency,
    isExpanded,
    toggleExpanded,
    pick: pickLocation,
    toggleFavouriteCity,
    toggleFavouriteRelay,
  };

  const filterCount = activeFilterCount(filters);
  const anySelected = selected !== undefined && !selected.country && !selected.city && !selected.hostname;

  return (
    <main
      className="view view--location"
      aria-labelledby="location-title"
      onKeyDown={(e) => moveFocus(e, listRef.current)}
    >
      <ViewHeader title="Select location" onBack={closeView} titleId="location-title" />
      <div className="location-tools">
        <input
          type="search"
          className="search"
          aria-label="Search locations"
          placeholder="Country, city or relay"
          value={query}
          onChange={(event) => setQuery(event.target.value)}
          autoComplete="off"
          spellCheck={false}
        />
        <button
          type="button"
          className={filterCount > 0 ? 'filter-toggle filter-toggle--active' : 'filter-toggle'}
          aria-expanded={filtersOpen}
          aria-controls={filterPanelId}
          onClick={() => setFiltersOpen(!filtersOpen)}
        >
          <FilterIcon />
          Filters{filterCount > 0 ? ` (${filterCount})` : ''}
        </button>
      </div>
      {filtersOpen && (
        <FilterPanel
          id={filterPanelId}
          filters={filters}
          providers={providers}
          onChange={(next) => changeSetting('relayFilters', next)}
        />
      )}
      <ErrorBanner />
      {/* data-query: the search the list shows now (it may trail the typing), for tools that time it. */}
      <div ref={listRef} className="view-body location-list" data-query={deferredQuery}>
        {!searching && (
          <LocationRow
            level="country"
            name="Any location"
            description="Best available"

            inactive={false}
            selected={anySelected}
            onPick={() => pickLocation({})}
          />
        )}
        {!searching && fastest && (
          <LocationRow
            level="country"
            name="Fastest relay"
            description={fastest.node.relay.hostname}
            wholeName
            inactive={false}
            selected={false}
            latency={{ text: formatLatency(fastest.ms), grade: latencyGrade(fastest.ms) }}
            onPick={() =>
              pickLocation({
                country: fastest.node.countryCode,
                city: fastest.node.cityCode,
                hostname: fastest.node.relay.hostname,
              })
            }
          />
        )}
        <FavouritesSection tree={tree} query={deferredQuery} context={context} />
        <section className="location-section" aria-labelledby="all-locations-heading">
          <div className="section-head">
            <h2 id="all-locations-heading" className="section-title">
              All locations
            </h2>
            <div className="segmented segmented--small" role="radiogroup" aria-label="Sort locations">
              {(['name', 'latency'] as const).map((value) => (
                <label key={value} className="segmented-option">
                  <input
                    type="radio"
                    name="location-order"
                    value={value}
                    checked={order === value}
                    onChange={() => setOrder(value)}
                  />
                  <span>{value === 'name' ? 'By name' : 'By latency'}</span>
                </label>
              ))}
            </div>
          </div>
          <p className="latency-note" aria-live="polite">
            {latencyProblem
              ? `Latency could not be measured: ${latencyProblem}`
              : measuring
                ? 'Measuring latency…'
                : ''}
          </p>
          {search.countries.length > 0 ? (
            <LocationTree countries={search.countries} context={context} />
          ) : (
            <p className="empty">{emptyText(relayList === undefined, searching, filterCount > 0)}</p>
          )}
        </section>
      </div>
    </main>
  );
}

function emptyText(noList: boolean, searching: boolean, filtered: boolean): string {
  if (noList) return 'The relay list has not arrived yet.';
  if (searching) return 'No country, city or relay matches the search.';
  if (filtered) return 'No relay matches the filters.';
  return 'The relay list is empty. Import relays with “sluice import”.';
}
