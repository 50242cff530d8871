// The scaled relay list the renderer is measured against: as many relays as asked, real places, every
// hostname unique (copies continue the provider's numbering), and the fixture's own relays first.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { relayListSchema } from '@sluice/api/domain';
import { scaledRelayList } from '../src/renderer-scale/scaled-relays.js';

const fixture: unknown = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../shared/fixtures/mullvad-relays-api.json'), 'utf8'),
);

describe('scaledRelayList', () => {
  it('gives the asked number of relays, unique hostnames, in the fixture places, as a valid relay list', () => {
    const list = scaledRelayList(fixture, 5000);
    const relays = list.countries.flatMap((country) => country.cities.flatMap((city) => city.relays));
    expect(relays).toHaveLength(5000);
    expect(new Set(relays.map((relay) => relay.hostname)).size).toBe(5000);
    expect(list.countries.length).toBe(50);
    expect(relayListSchema.safeParse(list).success).toBe(true);
    const gothenburg = list.countries.find((c) => c.code === 'se')?.cities.find((c) => c.code === 'got');
    expect(gothenburg?.name).toBe('Gothenburg');
    expect(gothenburg?.relays.map((relay) => relay.hostname)).toContain('se-got-wg-1001');
  });

  it('refuses what is not a Mullvad relay list', () => {
    expect(() => scaledRelayList({ relays: [] }, 10)).toThrow(/not a Mullvad relay list/);
  });
});
