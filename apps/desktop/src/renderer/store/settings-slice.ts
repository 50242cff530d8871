// The helper's settings plus the app's own (launch on login), with optimistic values while a change is
// on its way: a switch flips at once, and flips back with an error if the request fails.
import type { LocationConstraint, SluiceSettings } from '@sluice/api/domain';
import { initialState, type SluiceApi } from '../../shared/ipc';
import { sameLocation } from '../model/location-names';
import type { RelayFilters } from '../model/location-tree';
import type { SliceContext } from './slice';

export interface SettingValues {
  lockdownMode: boolean;
  allowLan: boolean;
  autoConnect: boolean;
  launchOnLogin: boolean;
  location: LocationConstraint;
  relayFilters: RelayFilters;
}

export type SettingKey = keyof SettingValues;

export type PendingSettings = { [K in SettingKey]?: { value: SettingValues[K]; requestId: number } };

export interface SettingsSlice {
  settings: SluiceSettings | undefined;
  launchOnLogin: boolean;
  trayAvailable: boolean;
  pendingSettings: PendingSettings;
  changeSetting: <K extends SettingKey>(key: K, value: SettingValues[K]) => void;
  /** Drop optimistic values the helper has now confirmed. */
  reconcileSettings: () => void;
}

interface SettingsSource {
  settings: SluiceSettings | undefined;
  launchOnLogin: boolean;
}

/** The helper's (or the app's) value; undefined until the helper has sent its settings. */
export function storedSetting<K extends SettingKey>(
  state: SettingsSource,
  key: K,
): SettingValues[K] | undefined {
  const values = storedValues(state);
  return values?.[key];
}

function storedValues(state: SettingsSource): SettingValues | undefined {
  const { settings } = state;
  if (!settings) return undefined;
  return {
    lockdownMode: settings.lockdownMode,
    allowLan: settings.allowLan,
    autoConnect: settings.autoConnect,
    launchOnLogin: state.launchOnLogin,
    location: settings.relayConstraints.location,
    relayFilters: {
      providers: settings.relayConstraints.providers,
      ownership: settings.relayConstraints.ownership,
    },
  };
}

/** What the UI shows: the optimistic value while a change is pending, else the stored one. */
export function effectiveSetting<K extends SettingKey>(
  state: SettingsSource & { pendingSettings: PendingSettings },
  key: K,
): SettingValues[K] | undefined {
  const pending = state.pendingSettings[key] as { value: SettingValues[K] } | undefined;
  if (pending) return pending.value;
  // Launch on login is the app's own and known before the helper answers.
  if (key === 'launchOnLogin') return state.launchOnLogin as SettingValues[K];
  return storedSetting(state, key);
}

function sameValue<K extends SettingKey>(key: K, a: SettingValues[K], b: SettingValues[K]): boolean {
  if (key === 'location') return sameLocation(a as LocationConstraint, b as LocationConstraint);
  if (key === 'relayFilters') {
    const x = a as RelayFilters;
    const y = b as RelayFilters;
    return (
      x.ownership === y.ownership && [...x.providers].sort().join('\n') === [...y.providers].sort().join('\n')
    );
  }
  return a === b;
}

function send<K extends SettingKey>(api: SluiceApi, key: K, value: SettingValues[K]): Promise<unknown> {
  switch (key) {
    case 'lockdownMode':
      return api.invoke('setLockdownMode', { enabled: value as boolean });
    case 'allowLan':
      return api.invoke('setAllowLan', { allow: value as boolean });
    case 'autoConnect':
      return api.invoke('setAutoConnect', { enabled: value as boolean });
    case 'launchOnLogin':
      return api.invoke('setLaunchOnLogin', { enabled: value as boolean });
    case 'location':
      return api.invoke('setLocation', { location: cleanLocation(value as LocationConstraint) });
    case 'relayFilters': {
      const filters = value as RelayFilters;
      return api.invoke('setRelayFilters', {
        providers: [...filters.providers],
        ownership: filters.ownership,
      });
    }
  }
  throw new Error(`unknown setting ${String(key)}`);
}

/** Only the parts that are set: the request schema is strict, and JSON bridges drop undefined anyway. */
function cleanLocation(location: LocationConstraint): LocationConstraint {
  const out: LocationConstraint = {};
  if (location.country) out.country = location.country;
  if (location.city) out.city = location.city;
  if (location.hostname) out.hostname = location.hostname;
  return out;
}

function withoutKeys(pending: PendingSettings, keys: readonly SettingKey[]): PendingSettings {
  return Object.fromEntries(Object.entries(pending).filter(([key]) => !keys.includes(key as SettingKey)));
}

const FAILURE_WORDS: Record<SettingKey, string> = {
  lockdownMode: 'Could not change lockdown mode',
  allowLan: 'Could not change local network sharing',
  autoConnect: 'Could not change auto-connect',
  launchOnLogin: 'Could not change launch on login',
  location: 'Could not change the location',
  relayFilters: 'Could not change the relay filters',
};

export function createSettingsSlice(ctx: SliceContext): SettingsSlice {
  const { api, set, get } = ctx;

  const dropPending = (key: SettingKey, requestId: number): void => {
    const pending = get().pendingSettings;
    if (pending[key]?.requestId !== requestId) return;
    set({ pendingSettings: withoutKeys(pending, [key]) });
  };

  return {
    settings: initialState.settings,
    launchOnLogin: initialState.launchOnLogin,
    trayAvailable: initialState.trayAvailable,
    pendingSettings: {},

    changeSetting(key, value) {
      const requestId = ctx.nextRequestId();
      set({ error: undefined, pendingSettings: { ...get().pendingSettings, [key]: { value, requestId } } });
      send(api, key, value).then(
        () => ctx.later(() => dropPending(key, requestId), ctx.settleMs),
        (error: unknown) => {
          dropPending(key, requestId);
          ctx.report(FAILURE_WORDS[key], error);
        },
      );
    },

    reconcileSettings() {
      const state = get();
      const stored = storedValues(state);
      if (!stored) return;
      const pending = state.pendingSettings;
      const confirmed = (Object.keys(pending) as SettingKey[]).filter((key) => {
        const entry = pending[key] as { value: SettingValues[typeof key] } | undefined;
        return entry !== undefined && sameValue(key, entry.value, stored[key]);
      });
      if (confirmed.length > 0) set({ pendingSettings: withoutKeys(pending, confirmed) });
    },
  };
}
