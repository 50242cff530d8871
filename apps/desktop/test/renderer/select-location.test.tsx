// @vitest-environment jsdom
// Select location: the tree with counts, search across country/city/hostname, inactive relays,
// filters, favourites (persisted), picking, keyboard use, and the real 577-relay Mullvad list.
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { screen, within } from '@testing-library/react';
import { emptyRelayList } from '@sluice/api/domain';
import { describe, expect, it } from 'vitest';
import { importRelayFiles } from '../../../daemon/dist/relays/import.js';
import { FAVOURITES_KEY } from '../../src/renderer/store/favourites';
import {
  connectedState,
  fakeSluice,
  invokesOf,
  patchesOf,
  renderApp,
  settingsSent,
  settingsWith,
  settle,
  type FakeSluice,
} from './harness';

async function openLocations(
  fake: FakeSluice = fakeSluice(connectedState()),
): Promise<Awaited<ReturnType<typeof renderApp>>> {
  const app = await renderApp(fake);
  await app.user.click(screen.getByRole('button', { name: /^Location/ }));
  return app;
}

const pick = (name: string): HTMLButtonElement => screen.getByRole<HTMLButtonElement>('button', { name });
/** The row's description (the first of what describes the pick button; the latency comes after it). */
const description = (element: HTMLElement): string => describedBy(element)[0] ?? '';
const describedBy = (element: HTMLElement): string[] =>
  (element.getAttribute('aria-describedby') ?? '')
    .split(' ')
    .map((id) => document.getElementById(id)?.textContent ?? '');

describe('select location: tree', () => {
  it('opens with its heading focused, lists countries with relay counts, and opens branches', async () => {
    const { user } = await openLocations();
    expect(document.activeElement).toBe(screen.getByRole('heading', { level: 1, name: 'Select location' }));

    const countries = within(screen.getByRole('list', { name: 'Countries' }));
    expect(countries.getByRole('button', { name: 'Sweden' })).toBeTruthy();
    expect(description(pick('Sweden'))).toBe('3 relays');
    expect(description(pick('USA'))).toBe('2 relays');
    // Closed branches are not rendered at all.
    expect(screen.queryByRole('button', { name: 'Gothenburg' })).toBeNull();

    const expandSweden = screen.getByRole('button', { name: 'Cities in Sweden' });
    expect(expandSweden.getAttribute('aria-expanded')).toBe('false');
    await user.click(expandSweden);
    expect(expandSweden.getAttribute('aria-expanded')).toBe('true');
    expect(description(pick('Gothenburg'))).toBe('2 relays');
    expect(description(pick('Stockholm'))).toBe('1 relay');

    await user.click(screen.getByRole('button', { name: 'Relays in Gothenburg' }));
    expect(pick('se-got-wg-001')).toBeTruthy();
    // The inactive relay is greyed, marked and cannot be picked.
    const offline = pick('se-got-wg-002');
    expect(offline.disabled).toBe(true);
    expect(description(offline)).toMatch(/^offline/);
    expect(offline.closest('.location-row')?.classList.contains('location-row--inactive')).toBe(true);
  });

  it('greys out a country whose relays are all offline', async () => {
    await openLocations();
    const germany = pick('Germany');
    expect(germany.disabled).toBe(true);
    expect(description(germany)).toBe('offline, 1 relay');
  });

  it('asks the helper to measure latency on open, and shows no number for what is not measured', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    // Once per open (twice under React's StrictMode in tests; the backend joins a running measurement).
    expect(invokesOf(fake, 'measureLatency').length).toBeGreaterThan(0);
    await user.click(screen.getByRole('button', { name: 'Cities in USA' }));
    await user.click(screen.getByRole('button', { name: 'Relays in New York' }));
    expect(screen.queryByText(/\d+(\.\d)?\s*ms/)).toBeNull();
    expect(screen.queryByRole('button', { name: 'Fastest relay' })).toBeNull();
  });

  const measured = {
    latency: {
      'se-got-wg-001': { rttMs: 42.4 },
      'se-got-wg-002': { rttMs: 1 },
      'se-sto-wg-001': { rttMs: 180 },
      'us-nyc-wg-001': { rttMs: 95 },
      'us-nyc-wg-002': { reason: 'no reply within 1000 ms' },
    },
  };

  it('shows measured times, coloured by band, on relays and as the best of each place', async () => {
    const { user } = await openLocations(fakeSluice(connectedState(measured)));
    // The offline relay's 1 ms does not make Sweden fast: only active relays count.
    expect(describedBy(pick('Sweden'))[1]).toBe('42 ms');
    expect(describedBy(pick('USA'))[1]).toBe('95 ms');
    await user.click(screen.getByRole('button', { name: 'Cities in USA' }));
    await user.click(screen.getByRole('button', { name: 'Relays in New York' }));
    expect(describedBy(pick('us-nyc-wg-001'))[1]).toBe('95 ms');
    const row = pick('us-nyc-wg-001').closest<HTMLElement>('.location-row');
    expect(row && within(row).getByText('95 ms').className).toBe('latency latency--medium');
    expect(within(screen.getByRole('list', { name: 'Countries' })).getAllByText('42 ms')[0]?.className).toBe(
      'latency latency--fast',
    );
    // Unknown is nothing, not a number.
    expect(describedBy(pick('us-nyc-wg-002'))).toHaveLength(1);
  });

  it('offers the fastest active relay, and sorts by latency on request', async () => {
    const fake = fakeSluice(connectedState(measured));
    const { user } = await openLocations(fake);
    const names = (): string[] =>
      within(screen.getByRole('list', { name: 'Countries' }))
        .getAllByRole('button', { name: /^(Sweden|USA|Germany)$/ })
        .map((button) => button.textContent);
    expect(names()).toEqual(['Germany', 'Sweden', 'USA']);
    await user.click(screen.getByRole('radio', { name: 'By latency' }));
    expect(names()).toEqual(['Sweden', 'USA', 'Germany']);
    await user.click(screen.getByRole('button', { name: 'Cities in Sweden' }));
    const cities = within(screen.getByRole('list', { name: 'Countries' }))
      .getAllByRole('button', { name: /^(Gothenburg|Stockholm)$/ })
      .map((button) => button.textContent);
    expect(cities).toEqual(['Gothenburg', 'Stockholm']);

    const fastest = pick('Fastest relay');
    expect(describedBy(fastest)).toEqual(['se-got-wg-001', '42 ms']);
    await user.click(fastest);
    expect(patchesOf(fake, 'location')).toEqual([
      { location: { country: 'se', city: 'got', hostname: 'se-got-wg-001' } },
    ]);
  });

  it('says when latency cannot be measured', async () => {
    const fake = fakeSluice(connectedState());
    fake.answer('measureLatency', () => Promise.reject(new Error('the helper is busy; try again')));
    await openLocations(fake);
    await settle(() => undefined);
    expect(screen.getByText('Latency could not be measured: the helper is busy; try again')).toBeTruthy();
  });
});

describe('select location: search', () => {
  it('finds a city by name and opens its country', async () => {
    const { user } = await openLocations();
    await user.type(screen.getByRole('searchbox', { name: 'Search locations' }), 'gothen');
    expect(pick('Gothenburg')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Stockholm' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'USA' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Cities in Sweden' }).getAttribute('aria-expanded')).toBe(
      'true',
    );
    // The city itself stays closed until opened.
    expect(screen.queryByRole('button', { name: 'se-got-wg-001' })).toBeNull();
  });

  it('finds a country case-insensitively, and a relay by hostname with its branches open', async () => {
    const { user } = await openLocations();
    const search = screen.getByRole('searchbox', { name: 'Search locations' });
    await user.type(search, 'SWE');
    expect(pick('Sweden')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'USA' })).toBeNull();

    await user.clear(search);
    await user.type(search, 'nyc-wg-002');
    expect(pick('us-nyc-wg-002')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'us-nyc-wg-001' })).toBeNull();

    // A branch the search opened can be closed again.
    await user.click(screen.getByRole('button', { name: 'Relays in New York' }));
    expect(screen.queryByRole('button', { name: 'us-nyc-wg-002' })).toBeNull();
  });

  it('says when nothing matches', async () => {
    const { user } = await openLocations();
    await user.type(screen.getByRole('searchbox', { name: 'Search locations' }), 'atlantis');
    expect(screen.getByText('No country, city or relay matches the search.')).toBeTruthy();
  });
});

describe('select location: picking', () => {
  it('picks a city: sends the location, returns to main and shows it at once', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    await user.click(screen.getByRole('button', { name: 'Cities in Sweden' }));
    await user.click(pick('Gothenburg'));
    expect(patchesOf(fake, 'location')).toEqual([{ location: { country: 'se', city: 'got' } }]);
    expect(screen.queryByRole('heading', { name: 'Select location' })).toBeNull();
    const locationButton = screen.getByRole('button', { name: 'Location Gothenburg, Sweden' });
    expect(document.activeElement).toBe(locationButton);
  });

  it('picks a relay, a country and any location', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    await user.type(screen.getByRole('searchbox', { name: 'Search locations' }), 'se-sto');
    await user.click(pick('se-sto-wg-001'));
    await user.click(screen.getByRole('button', { name: /^Location/ }));
    await user.click(pick('USA'));
    await user.click(screen.getByRole('button', { name: /^Location/ }));
    await user.click(pick('Any location'));
    expect(patchesOf(fake, 'location')).toEqual([
      { location: { country: 'se', city: 'sto', hostname: 'se-sto-wg-001' } },
      { location: { country: 'us' } },
      { location: {} },
    ]);
  });

  it('marks the current choice and opens the branches that hold it', async () => {
    const fake = fakeSluice(
      connectedState({
        settings: settingsWith(
          (s) => (s.relayConstraints.location = { country: 'se', city: 'got', hostname: 'se-got-wg-001' }),
        ),
      }),
    );
    await openLocations(fake);
    expect(pick('se-got-wg-001').getAttribute('aria-current')).toBe('true');
    expect(pick('Sweden').getAttribute('aria-current')).toBeNull();
  });

  it('closes on Escape and on Back without picking', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    await user.keyboard('{Escape}');
    expect(screen.queryByRole('heading', { name: 'Select location' })).toBeNull();
    await user.click(screen.getByRole('button', { name: /^Location/ }));
    await user.click(screen.getByRole('button', { name: 'Back' }));
    expect(screen.getByRole('heading', { name: 'Sluice' })).toBeTruthy();
    expect(patchesOf(fake, 'location')).toEqual([]);
  });

  it('moves between rows with the arrow keys and picks with Enter', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    await user.click(screen.getByRole('searchbox', { name: 'Search locations' }));
    await user.keyboard('{ArrowDown}');
    expect(document.activeElement).toBe(pick('Any location'));
    await user.keyboard('{ArrowDown}{ArrowDown}'); // Germany is offline and skipped
    expect(document.activeElement).toBe(pick('USA'));
    await user.keyboard('{ArrowUp}{Enter}');
    expect(patchesOf(fake, 'location')).toEqual([{ location: { country: 'se' } }]);
  });
});

describe('select location: filters', () => {
  it('offers the providers present and ownership, and sends each change of the filters', async () => {
    const fake = fakeSluice(connectedState());
    const { user } = await openLocations(fake);
    const toggle = screen.getByRole('button', { name: 'Filters' });
    await user.click(toggle);
    expect(toggle.getAttribute('aria-expanded')).toBe('true');
    const panel = within(screen.getByRole('region', { name: 'Relay filters' }));
    expect(
      panel.getAllByRole<HTMLInputElement>('checkbox').map((box) => box.labels?.[0]?.textContent),
    ).toEqual(['31173', 'M247', 'xtom']);

    await user.click(panel.getByRole('checkbox', { name: 'M247' }));
    expect(settingsSent(fake, 'relayFilters')).toEqual([{ providers: ['M247'], ownership: 'any' }]);
    // Shown at once: only M247's places remain.
    expect(screen.queryByRole('button', { name: 'USA' })).toBeNull();

    await user.click(panel.getByRole('radio', { name: 'Owned' }));
    expect(settingsSent(fake, 'relayFilters')[1]).toEqual({ providers: ['M247'], ownership: 'owned' });
    expect(screen.getByText('No relay matches the filters.')).toBeTruthy();
  });

  it('lists only relays that match the filters the helper has', async () => {
    const fake = fakeSluice(
      connectedState({ settings: settingsWith((s) => (s.relayConstraints.ownership = 'owned')) }),
    );
    const { user } = await openLocations(fake);
    expect(screen.getByRole('button', { name: 'Filters (1)' })).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'USA' })).toBeNull();
    await user.click(screen.getByRole('button', { name: 'Cities in Sweden' }));
    expect(description(pick('Sweden'))).toBe('1 relay');
    expect(screen.queryByRole('button', { name: 'Gothenburg' })).toBeNull();

    await user.click(screen.getByRole('button', { name: 'Filters (1)' }));
    await user.click(screen.getByRole('button', { name: 'Clear filters' }));
    expect(settingsSent(fake, 'relayFilters')).toEqual([{ providers: [], ownership: 'any' }]);
  });
});

describe('select location: favourites', () => {
  it('stars a relay and a city, lists them under Favourites and keeps them in localStorage', async () => {
    const { user, unmount } = await openLocations();
    await user.click(screen.getByRole('button', { name: 'Cities in USA' }));
    const starCity = screen.getByRole('button', { name: 'Favourite New York' });
    expect(starCity.getAttribute('aria-pressed')).toBe('false');
    await user.click(starCity);
    expect(starCity.getAttribute('aria-pressed')).toBe('true');

    await user.click(screen.getByRole('button', { name: 'Cities in Sweden' }));
    await user.click(screen.getByRole('button', { name: 'Relays in Stockholm' }));
    await user.click(screen.getByRole('button', { name: 'Favourite se-sto-wg-001' }));

    const favourites = within(screen.getByRole('list', { name: 'Favourites' }));
    expect(favourites.getByRole('button', { name: 'New York' })).toBeTruthy();
    expect(favourites.getByRole('button', { name: 'se-sto-wg-001' })).toBeTruthy();
    expect(JSON.parse(window.localStorage.getItem(FAVOURITES_KEY) ?? '{}')).toEqual({
      cities: ['us/nyc'],
      relays: ['se-sto-wg-001'],
    });

    // A new window reads them back.
    unmount();
    const fake = fakeSluice(connectedState());
    const again = await openLocations(fake);
    const restored = within(screen.getByRole('list', { name: 'Favourites' }));
    expect(restored.getByRole('button', { name: 'New York' })).toBeTruthy();
    await again.user.click(restored.getByRole('button', { name: 'se-sto-wg-001' }));
    expect(patchesOf(fake, 'location')).toEqual([
      { location: { country: 'se', city: 'sto', hostname: 'se-sto-wg-001' } },
    ]);
  });

  it('unstars from the Favourites section and survives damaged storage', async () => {
    window.localStorage.setItem(FAVOURITES_KEY, '{"cities": "not a list", "relays": ["us-nyc-wg-001", 7]}');
    const { user } = await openLocations();
    const favourites = within(screen.getByRole('list', { name: 'Favourites' }));
    expect(favourites.getAllByRole('button', { name: /^(?!Favourite)/ })).toHaveLength(1);
    await user.click(favourites.getByRole('button', { name: 'Favourite us-nyc-wg-001' }));
    expect(screen.queryByRole('list', { name: 'Favourites' })).toBeNull();
  });
});

describe('select location: the real Mullvad relay list', () => {
  const content = readFileSync(
    resolve(import.meta.dirname, '../../../../../shared/fixtures/mullvad-relays-api.json'),
    'utf8',
  );
  const mullvad = importRelayFiles([{ name: 'mullvad-relays-api.json', content }], {
    existing: emptyRelayList(),
    replace: true,
  }).list;

  it('renders 50 countries and only the branches that are open', async () => {
    const started = performance.now();
    const { user } = await openLocations(fakeSluice(connectedState({ relayList: mullvad })));
    const countries = within(screen.getByRole('list', { name: 'Countries' }));
    expect(countries.getAllByRole('button', { name: /^Cities in / })).toHaveLength(50);
    expect(description(pick('USA'))).toMatch(/^\d+ relays$/);
    // 50 countries' pick buttons and one Any location: no city or relay rows yet.
    expect(document.querySelectorAll('button[data-nav]')).toHaveLength(51);

    const search = screen.getByRole('searchbox', { name: 'Search locations' });
    await user.type(search, 'se-got');
    const relays = screen.getAllByRole('button', { name: /^se-got-wg-\d+$/ });
    expect(relays.length).toBeGreaterThan(0);
    expect(screen.queryByRole('button', { name: 'Germany' })).toBeNull();

    await user.clear(search);
    await user.type(search, 'gothenburg');
    await user.click(pick('Gothenburg'));
    expect(screen.getByRole('button', { name: 'Location Gothenburg, Sweden' })).toBeTruthy();
    // Generous: jsdom is far slower than Chromium, and this guards against rendering the whole list.
    expect(performance.now() - started).toBeLessThan(5000);
  });
});
