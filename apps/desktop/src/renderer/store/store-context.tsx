// Hands the store to the views. One store per window (tests make one per test).
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { AppStore, AppStoreApi } from './app-store';

const StoreContext = createContext<AppStoreApi | undefined>(undefined);

export function StoreProvider({ store, children }: { store: AppStoreApi; children: ReactNode }): ReactNode {
  return <StoreContext value={store}>{children}</StoreContext>;
}

function useStoreApi(): AppStoreApi {
  const store = useContext(StoreContext);
  if (!store) throw new Error('StoreProvider is missing');
  return store;
}

/** Read from the store; the component re-renders when the selected value changes (Object.is). */
export function useApp<T>(selector: (state: AppStore) => T): T {
  return useStore(useStoreApi(), selector);
}
