// The renderer's one store, made of slices. It is fed only by the trusted side: a full state from
// `getState` at start, then the patches `onState` delivers. Views read it through hooks (store-context).
import type { HelperStatus, SluiceApi, StatePatch } from '../../shared/ipc';
import { initialState } from '../../shared/ipc';
import type { RelayList } from '@sluice/api/domain';
import { createStore, type StoreApi } from 'zustand/vanilla';
import { locationTreeFor } from '../model/location-tree';
import { messageOf } from './errors';
import { createDiagnosticsSlice, type DiagnosticsSlice } from './diagnostics-slice';
import { createFavouritesSlice, type FavouritesSlice } from './favourites-slice';
import { createImportSlice, type ImportSlice } from './import-slice';
import { createLatencySlice, type LatencySlice } from './latency-slice';
import type { FavouritesStorage } from './favourites';
import { createNoticesSlice, type NoticesSlice } from './notices-slice';
import { createSettingsSlice, type SettingsSlice } from './settings-slice';
import type { SliceContext } from './slice';
import { createSplitTunnelSlice, type SplitTunnelSlice } from './split-tunnel-slice';
import { createTunnelSlice, type TunnelSlice } from './tunnel-slice';
import { createUiSlice, type UiSlice } from './ui-slice';

export interface ConnectionSlice {
  helper: HelperStatus;
  relayList: RelayList | undefined;
  /** Why the first getState failed (it is retried); undefined once the state has arrived. */
  loadError: string | undefined;
  /** Listen for patches and fetch the whole state. Returns stop. */
  startSync: () => () => void;
  receivePatch: (patch: StatePatch) => void;
}

export type AppStore = ConnectionSlice &
  TunnelSlice &
  SettingsSlice &
  NoticesSlice &
  FavouritesSlice &
  SplitTunnelSlice &
  ImportSlice &
  LatencySlice &
  DiagnosticsSlice &
  UiSlice;

export type AppStoreApi = StoreApi<AppStore>;

export interface AppStoreOptions {
  /** How long an optimistic value outlives a successful request with no news from the helper. */
  settleMs?: number;
  /** Wait before asking for the state again when getState fails. */
  retryMs?: number;
  /** The clock for traffic rates (tests pin it). */
  now?: () => number;
  /** Where favourites live (localStorage in the app). */
  storage?: FavouritesStorage;
}

const PATCH_KEYS = [
  'helper',
  'tunnel',
  'settings',
  'relayList',
  'splitTunnel',
  'preferences',
  'latency',
  'latencyMeasuring',
  'trayAvailable',
  'notices',
] as const;

export function createAppStore(api: SluiceApi, options: AppStoreOptions = {}): AppStoreApi {
  const timers = new Set<ReturnType<typeof setTimeout>>();
  let requestCounter = 0;

  return createStore<AppStore>()((set, get) => {
    const ctx: SliceContext = {
      api,
      set,
      get,
      settleMs: options.settleMs ?? 4000,
      later(run, ms) {
        const timer = setTimeout(() => {
          timers.delete(timer);
          run();
        }, ms);
        timers.add(timer);
      },
      nextRequestId: () => ++requestCounter,
      now: options.now ?? Date.now,
      report(what, error) {
        set({ error: { id: ++requestCounter, message: `${what}: ${messageOf(error)}` } });
      },
    };

    const connection: ConnectionSlice = {
      helper: initialState.helper,
      relayList: initialState.relayList,
      loadError: undefined,

      startSync() {
        let stopped = false;
        // Subscribe first: a patch sent while getState is answered is then not lost, and the answer is
        // never older than a patch that came before it (both travel on the same ordered channel).
        const unsubscribe = api.onState((patch) => get().receivePatch(patch));
        const load = (): void => {
          api.invoke('getState', {}).then(
            (state) => {
              if (stopped) return;
              set({ loadError: undefined });
              get().receivePatch(state);
            },
            (error: unknown) => {
              if (stopped) return;
              set({ loadError: messageOf(error) });
              ctx.later(load, options.retryMs ?? 2000);
            },
          );
        };
        load();
        return () => {
          stopped = true;
          unsubscribe();
          for (const timer of timers) clearTimeout(timer);
          timers.clear();
        };
      },

      receivePatch(patch) {
        const known: StatePatch = {};
        for (const key of PATCH_KEYS) {
          if (Object.hasOwn(patch, key)) Object.assign(known, { [key]: patch[key] });
        }
        const { tunnel, ...rest } = known;
        set(rest);
        if (tunnel) get().receiveTunnel(tunnel);
        // With the helper gone its state is unknown: keep no guesses about it.
        if (known.helper && known.helper.kind !== 'connected') get().dropOptimisticTunnel();
        if (Object.hasOwn(known, 'settings') || Object.hasOwn(known, 'preferences'))
          get().reconcileSettings();
        // A new relay list: build the picker's tree while the window is idle, not when it opens.
        if (known.relayList) {
          const list = known.relayList;
          ctx.later(() => {
            const { settings } = get();
            if (settings) locationTreeFor(list, settings.relayConstraints);
          }, 0);
        }
      },
    };

    return {
      ...connection,
      ...createTunnelSlice(ctx),
      ...createSettingsSlice(ctx),
      ...createNoticesSlice(ctx),
      ...createFavouritesSlice(ctx, options.storage),
      ...createSplitTunnelSlice(ctx),
      ...createImportSlice(ctx),
      ...createLatencySlice(ctx),
      ...createDiagnosticsSlice(ctx),
      ...createUiSlice(ctx),
    };
  });
}
