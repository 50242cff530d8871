// Favourite cities and relays, kept in the renderer's localStorage (they are a view preference, not a
// helper setting). What is read back is checked: a damaged entry means no favourites, not a crash.

export interface Favourites {
  /** City keys, "se/got". */
  cities: readonly string[];
  /** Relay hostnames. */
  relays: readonly string[];
}

export type FavouritesStorage = Pick<Storage, 'getItem' | 'setItem'>;

export const FAVOURITES_KEY = 'sluice.favourites.v1';

export const noFavourites: Favourites = { cities: [], relays: [] };

const stringsIn = (value: unknown): string[] =>
  Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string').slice(0, 500) : [];

export function loadFavourites(storage: FavouritesStorage | undefined): Favourites {
  try {
    const text = storage?.getItem(FAVOURITES_KEY);
    if (!text) return noFavourites;
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed !== 'object' || parsed === null) return noFavourites;
    return {
      cities: stringsIn((parsed as Record<string, unknown>).cities),
      relays: stringsIn((parsed as Record<string, unknown>).relays),
    };
  } catch {
    return noFavourites;
  }
}

export function saveFavourites(storage: FavouritesStorage | undefined, favourites: Favourites): void {
  try {
    storage?.setItem(FAVOURITES_KEY, JSON.stringify(favourites));
  } catch {
    // Storage full or unavailable: the favourites still work until the window closes.
  }
}

export function toggled(list: readonly string[], item: string): string[] {
  return list.includes(item) ? list.filter((x) => x !== item) : [...list, item];
}
