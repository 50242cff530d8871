// Favourites in the store, written through to storage on every change.
import {
  loadFavourites,
  saveFavourites,
  toggled,
  type Favourites,
  type FavouritesStorage,
} from './favourites';
import type { SliceContext } from './slice';

export interface FavouritesSlice {
  favourites: Favourites;
  toggleFavouriteCity: (key: string) => void;
  toggleFavouriteRelay: (hostname: string) => void;
}

export function createFavouritesSlice(
  ctx: SliceContext,
  storage: FavouritesStorage | undefined,
): FavouritesSlice {
  const update = (favourites: Favourites): void => {
    ctx.set({ favourites });
    saveFavourites(storage, favourites);
  };
  return {
    favourites: loadFavourites(storage),
    toggleFavouriteCity(key) {
      const current = ctx.get().favourites;
      update({ ...current, cities: toggled(current.cities, key) });
    },
    toggleFavouriteRelay(hostname) {
      const current = ctx.get().favourites;
      update({ ...current, relays: toggled(current.relays, hostname) });
    },
  };
}
