// Every setting the window can change, declared once: its value type, how it is read from the helper's
// settings (or the app's own preferences), how its IPC payload is validated, how it is compared, and how
// the settings view shows it. The IPC schema, the renderer's settings slice and the settings view are all
// driven by this list; the backend's write handlers are typed by it, so a setting without one is a type
// error. Pure: no Node, no DOM, no Electron.
import { z } from 'zod';
import {
  BYPASS_MIN_PREFIX,
  DNS_MODES,
  MTU_MAX,
  MTU_MIN,
  OWNERSHIPS,
  validateBypassRange,
  validateRoutableIp,
  type DnsMode,
  type LocationConstraint,
  type Ownership,
  type SluiceSettings,
} from '@sluice/api/domain';

export const TRAY_STYLES = ['colour', 'monochrome'] as const;
export type TrayStyle = (typeof TRAY_STYLES)[number];

/** The app's own preferences: kept by the app (Electron main), not by the helper. */
export interface AppPreferences {
  launchOnLogin: boolean;
  notifications: boolean;
  trayStyle: TrayStyle;
}

export const defaultPreferences: AppPreferences = {
  launchOnLogin: false,
  notifications: true,
  trayStyle: 'colour',
};

/** Which relays the helper may pick, besides the location. */
export interface RelayFilters {
  /** Empty means any provider. */
  providers: readonly string[];
  ownership: Ownership;
}

export interface DnsSetting {
  mode: DnsMode;
  customServers: readonly string[];
}

/** Each setting's value, by key. */
export interface SettingValues {
  lockdownMode: boolean;
  allowLan: boolean;
  autoConnect: boolean;
  launchOnLogin: boolean;
  enableIpv6: boolean;
  dns: DnsSetting;
  /** null: automatic. */
  mtu: number | null;
  /** null: automatic. */
  wireguardPort: number | null;
  bypassRanges: readonly string[];
  notifications: boolean;
  trayStyle: TrayStyle;
  location: LocationConstraint;
  relayFilters: RelayFilters;
}

export type SettingKey = keyof SettingValues;

/** A change as it crosses IPC: one setting's key with its value, e.g. `{ mtu: 1380 }`. */
export type SettingPatch = Partial<SettingValues>;

/** The patch that changes one setting. */
export function settingPatch<K extends SettingKey>(key: K, value: SettingValues[K]): SettingPatch {
  const patch: SettingPatch = {};
  patch[key] = value;
  return patch;
}

/** What settings are read from. */
export interface SettingsSource {
  settings: SluiceSettings | undefined;
  preferences: AppPreferences;
}

export const SETTING_GROUPS = ['security', 'dns', 'tunnel', 'startup', 'app'] as const;
export type SettingGroup = (typeof SETTING_GROUPS)[number];

export const SETTING_GROUP_TITLES: Record<SettingGroup, string> = {
  security: 'Security',
  dns: 'DNS',
  tunnel: 'Tunnel',
  startup: 'Startup',
  app: 'This app',
};

export interface SwitchControl {
  kind: 'switch';
}
export interface ChoiceControl<T extends string> {
  kind: 'choice';
  options: readonly { value: T; label: string }[];
}
/** A whole number in [min, max], or automatic (null). */
export interface NumberOrAutoControl {
  kind: 'number-or-auto';
  min: number;
  max: number;
  autoLabel: string;
  placeholder: string;
}
/** A list of addresses or ranges, each checked before it is sent. */
export interface AddressListControl {
  kind: 'address-list';
  itemLabel: string;
  placeholder: string;
  /** Throws a ValidationError whose message says what is accepted; returns the canonical text. */
  validateItem: (text: string) => string;
  suggestions?: readonly { value: string; label: string }[];
}
/** Default or custom servers: a switch and an address list. */
export interface DnsControl {
  kind: 'dns';
  placeholder: string;
  validateItem: (text: string) => string;
}

/** The control a value of type T can have: a switch only for a boolean, and so on. */
export type ControlFor<T> = [T] extends [boolean]
  ? SwitchControl
  : [T] extends [number | null]
    ? NumberOrAutoControl
    : [T] extends [DnsSetting]
      ? DnsControl
      : [T] extends [readonly string[]]
        ? AddressListControl
        : [T] extends [string]
          ? ChoiceControl<T>
          : never;

export type SettingControl =
  SwitchControl | ChoiceControl<string> | NumberOrAutoControl | AddressListControl | DnsControl;

/** How the settings view shows a setting. */
export interface SettingView<T> {
  group: SettingGroup;
  label: string;
  help: string;
  control: ControlFor<T>;
}

export interface SettingDeclaration<T> {
  /** Who keeps it: the helper (a change needs root or group "sluice") or this app. */
  owner: 'helper' | 'app';
  /** Validates the IPC payload on the trusted side. */
  schema: z.ZodType<T>;
  /** The value in force; undefined while the helper has not sent its settings. */
  read: (source: SettingsSource) => T | undefined;
  /** True when two values mean the same (order of a set, unset location parts). */
  same: (a: T, b: T) => boolean;
  /** The first words of an error: "Could not change …". */
  failure: string;
  /** Absent: changed elsewhere (the location picker), not in the settings view. */
  view?: SettingView<T>;
}

const fromHelper =
  <T>(pick: (settings: SluiceSettings) => T) =>
  (source: SettingsSource): T | undefined =>
    source.settings && pick(source.settings);

const fromApp =
  <K extends keyof AppPreferences>(key: K) =>
  (source: SettingsSource): AppPreferences[K] =>
    source.preferences[key];

const identical = <T>(a: T, b: T): boolean => a === b;
const sameList = (a: readonly string[], b: readonly string[]): boolean =>
  a.length === b.length && a.every((item, index) => item === b[index]);
const sameSet = (a: readonly string[], b: readonly string[]): boolean =>
  sameList([...a].sort(), [...b].sort());

/** Longer than any address or range with a prefix. */
const addressText = z.string().min(1).max(64);

export const TAILSCALE_RANGE = '100.64.0.0/10';

/** Every setting, in the order the settings view shows them within a group. */
export const SETTINGS: { [K in SettingKey]: SettingDeclaration<SettingValues[K]> } = {
  lockdownMode: {
    owner: 'helper',
    schema: z.boolean(),
    read: fromHelper((s) => s.lockdownMode),
    same: identical,
    failure: 'Could not change lockdown mode',
    view: {
      group: 'security',
      label: 'Lockdown mode',
      help: 'Block all internet traffic whenever Sluice is not connected, even when disconnected or quit.',
      control: { kind: 'switch' },
    },
  },
  allowLan: {
    owner: 'helper',
    schema: z.boolean(),
    read: fromHelper((s) => s.allowLan),
    same: identical,
    failure: 'Could not change local network sharing',
    view: {
      group: 'security',
      label: 'Allow LAN',
      help: 'Reach printers, file shares and other devices on your local network while the tunnel or lockdown is on.',
      control: { kind: 'switch' },
    },
  },
  dns: {
    owner: 'helper',
    schema: z.object({ mode: z.enum(DNS_MODES), customServers: z.array(addressText).max(16) }).strict(),
    read: fromHelper((s) => s.dns),
    // In default mode the helper keeps the old list whatever is sent: only the mode counts then.
    same: (a, b) => a.mode === b.mode && (a.mode === 'default' || sameList(a.customServers, b.customServers)),
    failure: 'Could not change DNS',
    view: {
      group: 'dns',
      label: 'Custom DNS servers',
      help: "Use your own resolvers instead of the relay's. Queries still go through the tunnel, and only to these servers.",
      control: {
        kind: 'dns',
        placeholder: 'e.g. 9.9.9.9',
        validateItem: (text) => validateRoutableIp('DNS server', text),
      },
    },
  },
  enableIpv6: {
    owner: 'helper',
    schema: z.boolean(),
    read: fromHelper((s) => s.tunnel.enableIpv6),
    same: identical,
    failure: 'Could not change IPv6',
    view: {
      group: 'tunnel',
      label: 'IPv6 in the tunnel',
      help: 'Carry IPv6 through the tunnel when the relay offers it. Off: IPv6 is blocked rather than leaked.',
      control: { kind: 'switch' },
    },
  },
  mtu: {
    owner: 'helper',
    schema: z.number().int().min(MTU_MIN).max(MTU_MAX).nullable(),
    read: fromHelper((s) => s.tunnel.mtu),
    same: identical,
    failure: 'Could not change the MTU',
    view: {
      group: 'tunnel',
      label: 'MTU',
      help: `Largest packet in the tunnel. Automatic measures the path; set ${MTU_MIN}–${MTU_MAX} only if a network needs it.`,
      control: {
        kind: 'number-or-auto',
        min: MTU_MIN,
        max: MTU_MAX,
        autoLabel: 'Automatic',
        placeholder: String(MTU_MAX),
      },
    },
  },
  wireguardPort: {
    owner: 'helper',
    schema: z.number().int().min(1).max(65535).nullable(),
    read: fromHelper((s) => s.tunnel.wireguardPort),
    same: identical,
    failure: 'Could not change the WireGuard port',
    view: {
      group: 'tunnel',
      label: 'WireGuard port',
      help: "Relay port to connect to. Automatic uses the relay's own and rotates on retries; a fixed port can get past strict networks (e.g. 53).",
      control: { kind: 'number-or-auto', min: 1, max: 65535, autoLabel: 'Automatic', placeholder: '51820' },
    },
  },
  bypassRanges: {
    owner: 'helper',
    schema: z.array(addressText).max(64),
    read: fromHelper((s) => s.bypassRanges),
    same: sameSet,
    failure: 'Could not change the bypass ranges',
    view: {
      group: 'tunnel',
      label: 'Bypass ranges',
      help: `Networks reached outside the tunnel, e.g. a mesh VPN. At most /${BYPASS_MIN_PREFIX[4]} for IPv4, /${BYPASS_MIN_PREFIX[6]} for IPv6.`,
      control: {
        kind: 'address-list',
        itemLabel: 'range',
        placeholder: 'e.g. 192.0.2.0/24',
        validateItem: (text) => validateBypassRange('bypass range', text),
        suggestions: [{ value: TAILSCALE_RANGE, label: `Tailscale (${TAILSCALE_RANGE})` }],
      },
    },
  },
  autoConnect: {
    owner: 'helper',
    schema: z.boolean(),
    read: fromHelper((s) => s.autoConnect),
    same: identical,
    failure: 'Could not change auto-connect',
    view: {
      group: 'startup',
      label: 'Auto-connect',
      help: 'Connect as soon as the helper starts at boot, before anyone logs in or opens this app.',
      control: { kind: 'switch' },
    },
  },
  launchOnLogin: {
    owner: 'app',
    schema: z.boolean(),
    read: fromApp('launchOnLogin'),
    same: identical,
    failure: 'Could not change launch on login',
    view: {
      group: 'startup',
      label: 'Launch on login',
      help: 'Open this app in the tray when you log in. On its own it does not connect; that is what auto-connect does.',
      control: { kind: 'switch' },
    },
  },
  notifications: {
    owner: 'app',
    schema: z.boolean(),
    read: fromApp('notifications'),
    same: identical,
    failure: 'Could not change notifications',
    view: {
      group: 'app',
      label: 'Notifications',
      help: 'Tell me when the connection drops, is blocked or fails while this window is not in front. Off: only a failed tray action is shown.',
      control: { kind: 'switch' },
    },
  },
  trayStyle: {
    owner: 'app',
    schema: z.enum(TRAY_STYLES),
    read: fromApp('trayStyle'),
    same: identical,
    failure: 'Could not change the tray icon',
    view: {
      group: 'app',
      label: 'Tray icon',
      help: 'Colour shows the state at a glance; monochrome matches panels with symbolic icons. Each state has its own shape either way.',
      control: {
        kind: 'choice',
        options: [
          { value: 'colour', label: 'Colour' },
          { value: 'monochrome', label: 'Monochrome' },
        ],
      },
    },
  },
  location: {
    owner: 'helper',
    schema: z
      .object({
        country: z.string().min(1).max(8).optional(),
        city: z.string().min(1).max(8).optional(),
        hostname: z.string().min(1).max(64).optional(),
      })
      .strict(),
    read: fromHelper((s) => s.relayConstraints.location),
    same: (a, b) =>
      (a.country ?? '') === (b.country ?? '') &&
      (a.city ?? '') === (b.city ?? '') &&
      (a.hostname ?? '') === (b.hostname ?? ''),
    failure: 'Could not change the location',
  },
  relayFilters: {
    owner: 'helper',
    schema: z
      .object({ providers: z.array(z.string().min(1).max(64)).max(64), ownership: z.enum(OWNERSHIPS) })
      .strict(),
    read: fromHelper((s) => ({
      providers: s.relayConstraints.providers,
      ownership: s.relayConstraints.ownership,
    })),
    same: (a, b) => a.ownership === b.ownership && sameSet(a.providers, b.providers),
    failure: 'Could not change the relay filters',
  },
};

export const isSettingKey = (key: unknown): key is SettingKey =>
  typeof key === 'string' && Object.hasOwn(SETTINGS, key);

export const SETTING_KEYS: readonly SettingKey[] = Object.keys(SETTINGS).filter(isSettingKey);

/** One key's value checked by its own schema into `out`; where and why when it is refused. */
// eslint-disable-next-line @typescript-eslint/no-unnecessary-type-parameters -- K pairs the key with its own value type inside
function parseInto<K extends SettingKey>(
  key: K,
  value: unknown,
  out: SettingPatch,
): { path: PropertyKey[]; message: string } | undefined {
  const declaration: SettingDeclaration<SettingValues[K]> = SETTINGS[key];
  const parsed = declaration.schema.safeParse(value);
  if (parsed.success) {
    out[key] = parsed.data;
    return undefined;
  }
  const issue = parsed.error.issues[0];
  return { path: [key, ...(issue?.path ?? [])], message: issue?.message ?? 'invalid' };
}

/** The IPC payload of a setting change: exactly one known key, its value checked by that key's schema. */
export const settingPatchSchema = z
  .record(z.string().max(32), z.unknown())
  .transform((payload, ctx): SettingPatch => {
    const keys = Object.keys(payload);
    if (keys.length !== 1) {
      ctx.addIssue({ code: 'custom', message: `${keys.length} settings given; change one at a time` });
      return z.NEVER;
    }
    const [key = ''] = keys;
    if (!isSettingKey(key)) {
      ctx.addIssue({
        code: 'custom',
        path: [key],
        message: `unknown setting; one of ${SETTING_KEYS.join(', ')}`,
      });
      return z.NEVER;
    }
    const out: SettingPatch = {};
    const problem = parseInto(key, payload[key], out);
    if (problem !== undefined) {
      ctx.addIssue({ code: 'custom', path: problem.path, message: problem.message });
      return z.NEVER;
    }
    return out;
  });

/** A setting's stored value (undefined until the helper has sent its settings). */
export function readSetting<K extends SettingKey>(
  source: SettingsSource,
  key: K,
): SettingValues[K] | undefined {
  const declaration: SettingDeclaration<SettingValues[K]> = SETTINGS[key];
  return declaration.read(source);
}

export function sameSetting<K extends SettingKey>(key: K, a: SettingValues[K], b: SettingValues[K]): boolean {
  const declaration: SettingDeclaration<SettingValues[K]> = SETTINGS[key];
  return declaration.same(a, b);
}

/** The settings the view shows, grouped, in declaration order. */
export function settingsByGroup(): { group: SettingGroup; keys: SettingKey[] }[] {
  return SETTING_GROUPS.map((group) => ({
    group,
    keys: SETTING_KEYS.filter((key) => SETTINGS[key].view?.group === group),
  })).filter((entry) => entry.keys.length > 0);
}

/** The keys whose value is of type T. */
export type SettingKeyOf<T> = { [K in SettingKey]: SettingValues[K] extends T ? K : never }[SettingKey];

type ControlKind = SettingControl['kind'];

const hasControl = (key: SettingKey, kind: ControlKind): boolean => SETTINGS[key].view?.control.kind === kind;

// A declaration's control is typed by its value (ControlFor), so the kind tells the value's type.
export const isSwitchSetting = (key: SettingKey): key is SettingKeyOf<boolean> => hasControl(key, 'switch');
export const isNumberSetting = (key: SettingKey): key is SettingKeyOf<number | null> =>
  hasControl(key, 'number-or-auto');
export const isListSetting = (key: SettingKey): key is SettingKeyOf<readonly string[]> =>
  hasControl(key, 'address-list');
export const isDnsSetting = (key: SettingKey): key is SettingKeyOf<DnsSetting> => hasControl(key, 'dns');
export const isChoiceSetting = (key: SettingKey): key is SettingKeyOf<TrayStyle> => hasControl(key, 'choice');
