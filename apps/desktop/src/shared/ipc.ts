// The one IPC schema between the renderer and the rest of the app (Electron main, or the e2e test
// shell): every request the renderer may make, validated on the trusted side, and the state it is
// pushed. Pure: no Node, no DOM, no Electron.
import { z } from 'zod';
import type { RelayList, SluiceSettings, SplitTunnelStatus, TunnelStatus } from '@sluice/api/domain';
import { defaultPreferences, settingPatchSchema, type AppPreferences } from './settings.js';

/** An absolute program path (the helper checks the rest: that it exists, no control characters). */
const appPath = z.string().min(2).max(4096).startsWith('/');

/** Request schemas by channel. The trusted side parses every payload with these before acting. */
export const requests = {
  getState: z.object({}).strict(),
  connect: z.object({}).strict(),
  disconnect: z.object({}).strict(),
  reconnect: z.object({}).strict(),
  /** One setting of the settings list (shared/settings.ts), e.g. `{ mtu: 1380 }`. */
  setSetting: settingPatchSchema,
  showWindow: z.object({}).strict(),
  setSplitTunnelEnabled: z.object({ enabled: z.boolean() }).strict(),
  addSplitTunnelApp: z.object({ path: appPath }).strict(),
  removeSplitTunnelApp: z.object({ path: appPath }).strict(),
  removeSplitTunnelProcess: z.object({ pid: z.number().int().min(1).max(4_194_304) }).strict(),
  listInstalledApps: z.object({}).strict(),
  /** An app from the last list, by its desktop-file ID: the renderer never names a command to run. */
  launchExcluded: z.object({ id: z.string().min(1).max(255) }).strict(),
  /** Ask for a program in a file dialog (main): a binary or a .desktop file; null when cancelled. */
  chooseProgram: z.object({}).strict(),
  /** Ask for files to import in a file dialog (main) and import them; null when cancelled. */
  importFiles: z.object({}).strict(),
  runLeakTest: z.object({}).strict(),
  getLogs: z.object({ maxLines: z.number().int().min(1).max(5000) }).strict(),
  /** Measure every relay's round trip (the helper probes outside the tunnel); results arrive as `latency`. */
  measureLatency: z.object({}).strict(),
  /** Build the problem report (redacted), put it on the clipboard and return it. */
  copyProblemReport: z.object({}).strict(),
} as const;

export type Channel = keyof typeof requests;
export type Request<C extends Channel> = z.infer<(typeof requests)[C]>;

/** One request as the trusted side handles it: a channel and its own payload type, together. */
export type Invocation<K extends Channel = Channel> = { [C in K]: { channel: C; request: Request<C> } }[K];

/** How the app reaches the helper. */
export type HelperStatus =
  | { kind: 'connecting' }
  | {
      kind: 'connected';
      version: string;
      /** Whether this user may change the helper (root or group "sluice"); absent: not yet known. */
      control?: { allowed: true } | { allowed: false; reason: string };
    }
  /** Socket missing or refusing: the helper is not running. */
  | { kind: 'unreachable'; socketPath: string; message: string }
  /** The socket is not root's: the app refuses to talk to it. */
  | { kind: 'untrusted'; socketPath: string; message: string };

export interface Notice {
  kind: 'settings-recovered' | 'unexpected-disconnect' | 'other';
  message: string;
}

/** Everything the renderer shows. */
export interface AppState {
  helper: HelperStatus;
  tunnel: TunnelStatus;
  settings: SluiceSettings | undefined;
  relayList: RelayList | undefined;
  /** Split tunnelling as the helper last reported it. */
  splitTunnel: SplitTunnelStatus | undefined;
  /** The app's own preferences (launch on login, notifications, tray icon). */
  preferences: AppPreferences;
  /** Round-trip times by relay hostname, as far as measured; a relay not in it has no measurement. */
  latency: Record<string, LatencyView>;
  /** A latency measurement is under way. */
  latencyMeasuring: boolean;
  /** The desktop has a tray (when false, closing the window minimises it and the app says why). */
  trayAvailable: boolean;
  notices: Notice[];
}

export type StatePatch = Partial<AppState>;

/** One relay's round trip: a measured time, or why there is none (never a made-up number). */
export type LatencyView = { rttMs: number } | { reason: string };

/** An installed application, as the app-exclusion picker shows it. */
export interface InstalledAppView {
  /** The desktop-file ID (firefox.desktop): what launchExcluded names. */
  id: string;
  name: string;
  comment?: string;
  /** The program it runs, as an absolute path when found. */
  executable: string;
  source: 'user' | 'system' | 'flatpak' | 'snap';
  /** A data: URL, for an <img> only. */
  icon?: string;
  /** It hands off to a running copy (browsers): a new excluded launch does nothing while one runs. */
  singleInstance: boolean;
}

/** What an import did. Errors (with file and line) reject the request instead. */
export interface ImportSummary {
  files: string[];
  relaysImported: number;
  identityImported: boolean;
  warnings: string[];
}

/** One check of the leak self-test. */
export interface LeakCheckView {
  name: string;
  passed: boolean;
  detail: string;
}

export interface LeakTestView {
  passed: boolean;
  checks: LeakCheckView[];
  /** The address the world sees, when the endpoint answered. */
  observedAddress: string;
  /** Packets per firewall rule since the helper started, by rule tag. */
  ruleHits: { rule: string; packets: number }[];
}

/** Each channel's answer; channels not named here answer nothing. */
interface Responses {
  getState: AppState;
  listInstalledApps: InstalledAppView[];
  chooseProgram: InstalledAppView | null;
  importFiles: ImportSummary | null;
  runLeakTest: LeakTestView;
  getLogs: string[];
  copyProblemReport: { text: string };
}

export type Response<C extends Channel> = C extends keyof Responses ? Responses[C] : undefined;

/** A request failed: `message` is the helper's (or the validator's) own words. */
export interface RequestFailure {
  error: string;
}

/** The API the preload exposes to the renderer as `window.sluice` (and the e2e shell imitates). */
export interface SluiceApi {
  invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>>;
  /** Called with each change; returns the function that stops listening. */
  onState(listener: (patch: StatePatch) => void): () => void;
}

/** Channel names on the wire (Electron IPC or the test shell's WebSocket). */
export const IPC_INVOKE = 'sluice:invoke';
export const IPC_STATE = 'sluice:state';

/** The same schemas, typed per channel, so a parsed payload keeps its own channel's type. */
const schemas: { [C in Channel]: z.ZodType<Request<C>> } = requests;

const isChannel = (name: unknown): name is Channel =>
  typeof name === 'string' && Object.hasOwn(requests, name);

function parseFor<C extends Channel>(channel: C, payload: unknown): Invocation<C> {
  const parsed = schemas[channel].safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${channel}: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
  }
  const invocation: { channel: C; request: Request<C> } = { channel, request: parsed.data };
  return invocation;
}

/** Parse an untrusted invoke message; throws with a message naming what was wrong. */
export function parseInvoke(channel: unknown, payload: unknown): Invocation {
  if (!isChannel(channel)) throw new Error(`unknown request ${JSON.stringify(channel)}`);
  return parseFor(channel, payload);
}

export const initialState: AppState = {
  helper: { kind: 'connecting' },
  tunnel: { state: 'disconnected', lockedDown: false },
  settings: undefined,
  relayList: undefined,
  splitTunnel: undefined,
  preferences: defaultPreferences,
  latency: {},
  latencyMeasuring: false,
  trayAvailable: true,
  notices: [],
};
