// Every setting of the settings list (shared/settings.ts) with an optimistic value while a change is on
// its way: a control shows the new value at once, and goes back, with the helper's words beside it, if
// the request fails. Nothing here names a setting: the list does.
import { initialState } from '../../shared/ipc';
import {
  isSettingKey,
  readSetting,
  SETTINGS,
  sameSetting,
  settingPatch,
  type AppPreferences,
  type SettingKey,
  type SettingsSource,
  type SettingValues,
} from '../../shared/settings';
import { messageOf } from './errors';
import type { SliceContext } from './slice';

export type { SettingKey, SettingValues } from '../../shared/settings';

export type PendingSettings = { [K in SettingKey]?: { value: SettingValues[K]; requestId: number } };

/** Why the last change of a setting failed, in the helper's words, shown beside its control. */
export type SettingErrors = { [K in SettingKey]?: string };

export interface SettingsSlice {
  settings: SettingsSource['settings'];
  preferences: AppPreferences;
  trayAvailable: boolean;
  pendingSettings: PendingSettings;
  settingErrors: SettingErrors;
  changeSetting: <K extends SettingKey>(key: K, value: SettingValues[K]) => void;
  dismissSettingError: (key: SettingKey) => void;
  /** Drop optimistic values the helper has now confirmed. */
  reconcileSettings: () => void;
}

/** What the UI shows: the optimistic value while a change is pending, else the stored one. */
export function effectiveSetting<K extends SettingKey>(
  state: SettingsSource & { pendingSettings: PendingSettings },
  key: K,
): SettingValues[K] | undefined {
  const pending: PendingSettings[K] = state.pendingSettings[key];
  return pending ? pending.value : readSetting(state, key);
}

function without<T extends object>(record: T, keys: readonly SettingKey[]): T {
  const out = { ...record };
  for (const key of keys) Reflect.deleteProperty(out, key);
  return out;
}

// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K pairs the key with its own value type inside
function isConfirmed<K extends SettingKey>(state: SettingsSource, pending: PendingSettings, key: K): boolean {
  const entry: PendingSettings[K] = pending[key];
  const stored = readSetting(state, key);
  return entry !== undefined && stored !== undefined && sameSetting(key, entry.value, stored);
}

export function createSettingsSlice(ctx: SliceContext): SettingsSlice {
  const { api, set, get } = ctx;

  const dropPending = (key: SettingKey, requestId: number): void => {
    const pending = get().pendingSettings;
    if (pending[key]?.requestId !== requestId) return;
    set({ pendingSettings: without(pending, [key]) });
  };

  return {
    settings: initialState.settings,
    preferences: initialState.preferences,
    trayAvailable: initialState.trayAvailable,
    pendingSettings: {},
    settingErrors: {},

    changeSetting<K extends SettingKey>(key: K, value: SettingValues[K]) {
      const requestId = ctx.nextRequestId();
      const state = get();
      set({
        pendingSettings: { ...state.pendingSettings, [key]: { value, requestId } },
        settingErrors: without(state.settingErrors, [key]),
      });
      api.invoke('setSetting', settingPatch(key, value)).then(
        () => ctx.later(() => dropPending(key, requestId), ctx.settleMs),
        (error: unknown) => {
          dropPending(key, requestId);
          // A settings-view control shows it beside itself, where the user is looking; the location and
          // filters (changed from the picker, which closes) show it in the window's banner.
          if (!SETTINGS[key].view) return ctx.report(SETTINGS[key].failure, error);
          set({
            settingErrors: { ...get().settingErrors, [key]: `${SETTINGS[key].failure}: ${messageOf(error)}` },
          });
        },
      );
    },

    dismissSettingError(key) {
      set({ settingErrors: without(get().settingErrors, [key]) });
    },

    reconcileSettings() {
      const state = get();
      const pending = state.pendingSettings;
      const confirmed = Object.keys(pending)
        .filter(isSettingKey)
        .filter((key) => isConfirmed(state, pending, key));
      if (confirmed.length > 0) set({ pendingSettings: without(pending, confirmed) });
    },
  };
}
