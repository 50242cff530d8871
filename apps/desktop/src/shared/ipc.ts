// The one IPC schema between the renderer and the rest of the app (Electron main, or the e2e test
// shell): every request the renderer may make, validated on the trusted side, and the state it is
// pushed. Pure: no Node, no DOM, no Electron.
import { z } from 'zod';
import { OWNERSHIPS, type RelayList, type SluiceSettings, type TunnelStatus } from '@sluice/api/domain';

const location = z
  .object({
    country: z.string().min(1).max(8).optional(),
    city: z.string().min(1).max(8).optional(),
    hostname: z.string().min(1).max(64).optional(),
  })
  .strict();

/** Request schemas by channel. The trusted side parses every payload with these before acting. */
export const requests = {
  getState: z.object({}).strict(),
  connect: z.object({}).strict(),
  disconnect: z.object({}).strict(),
  reconnect: z.object({}).strict(),
  setLockdownMode: z.object({ enabled: z.boolean() }).strict(),
  setAllowLan: z.object({ allow: z.boolean() }).strict(),
  setAutoConnect: z.object({ enabled: z.boolean() }).strict(),
  setLaunchOnLogin: z.object({ enabled: z.boolean() }).strict(),
  setLocation: z.object({ location }).strict(),
  setRelayFilters: z
    .object({ providers: z.array(z.string().min(1).max(64)).max(64), ownership: z.enum(OWNERSHIPS) })
    .strict(),
  showWindow: z.object({}).strict(),
} as const;

export type Channel = keyof typeof requests;
export type Request<C extends Channel> = z.infer<(typeof requests)[C]>;

/** How the app reaches the helper. */
export type HelperStatus =
  | { kind: 'connecting' }
  | { kind: 'connected'; version: string }
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
  launchOnLogin: boolean;
  /** The desktop has a tray (when false, closing the window minimises it and the app says why). */
  trayAvailable: boolean;
  notices: Notice[];
}

export type StatePatch = Partial<AppState>;

/** Responses: getState returns the whole state; everything else returns nothing. */
export type Response<C extends Channel> = C extends 'getState' ? AppState : undefined;

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

/** Parse an untrusted invoke message; throws with a message naming what was wrong. */
export function parseInvoke(
  channel: unknown,
  payload: unknown,
): { channel: Channel; request: Request<Channel> } {
  if (typeof channel !== 'string' || !Object.hasOwn(requests, channel)) {
    throw new Error(`unknown request ${JSON.stringify(channel)}`);
  }
  const name = channel as Channel;
  const parsed = requests[name].safeParse(payload);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`${name}: ${issue?.path.join('.') || 'request'}: ${issue?.message ?? 'invalid'}`);
  }
  return { channel: name, request: parsed.data };
}

export const initialState: AppState = {
  helper: { kind: 'connecting' },
  tunnel: { state: 'disconnected', lockedDown: false },
  settings: undefined,
  relayList: undefined,
  launchOnLogin: false,
  trayAvailable: true,
  notices: [],
};
