// Builds the renderer for a given API: the store, its sync with the trusted side, and the React tree.
// main.tsx calls it with window.sluice; component tests call it with a fake.
import { StrictMode, type ReactNode } from 'react';
import type { SluiceApi } from '../shared/ipc';
import { App } from './App';
import { createAppStore, type AppStoreApi, type AppStoreOptions } from './store/app-store';
import { StoreProvider } from './store/store-context';

export interface Renderer {
  store: AppStoreApi;
  element: ReactNode;
  /** Stop listening to the trusted side and cancel timers. */
  stop: () => void;
}

export function createRenderer(api: SluiceApi, options: AppStoreOptions = {}): Renderer {
  const store = createAppStore(api, options);
  const stop = store.getState().startSync();
  const element = (
    <StrictMode>
      <StoreProvider store={store}>
        <App />
      </StoreProvider>
    </StrictMode>
  );
  return { store, element, stop };
}
