// Test harness: a fake window.sluice that records every invoke and lets a test push state patches,
// and a helper that renders the whole renderer against it.
import { act, cleanup, render, type RenderResult } from '@testing-library/react';
import { userEvent, type UserEvent } from '@testing-library/user-event';
import { defaultSettings, relayListSchema, type RelayList, type SluiceSettings } from '@sluice/api/domain';
import { afterEach } from 'vitest';
import {
  initialState,
  type AppState,
  type Channel,
  type Request,
  type Response,
  type SluiceApi,
  type StatePatch,
} from '../../src/shared/ipc';
import { createRenderer } from '../../src/renderer/root';
import type { AppStoreApi, AppStoreOptions } from '../../src/renderer/store/app-store';

export interface RecordedInvoke {
  channel: Channel;
  request: unknown;
}

type Answer = (request: unknown) => Promise<unknown>;

export interface FakeSluice {
  api: SluiceApi;
  invokes: RecordedInvoke[];
  /** Deliver a patch as the trusted side would (inside act, so React settles). */
  push(patch: StatePatch): void;
  /** How a channel answers from now on; the default resolves (getState with `state`). */
  answer(channel: Channel, answer: Answer): void;
  /** What getState returns. */
  state: AppState;
  listenerCount(): number;
}

/** What a channel answers unless a test says otherwise: the state, empty lists, or nothing. */
function defaultAnswer(channel: Channel, state: AppState): unknown {
  switch (channel) {
    case 'getState':
      return state;
    case 'listInstalledApps':
    case 'getLogs':
      return [];
    case 'chooseProgram':
    case 'importFiles':
      return null;
    default:
      return undefined;
  }
}

export function fakeSluice(state: Partial<AppState> = {}): FakeSluice {
  const listeners = new Set<(patch: StatePatch) => void>();
  const answers = new Map<Channel, Answer>();
  const fake: FakeSluice = {
    invokes: [],
    state: { ...initialState, ...state },
    api: {
      invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
        fake.invokes.push({ channel, request });
        const answer = answers.get(channel);
        if (answer) return answer(request) as Promise<Response<C>>;
        return Promise.resolve(defaultAnswer(channel, fake.state) as Response<C>);
      },
      onState(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    },
    push(patch) {
      fake.state = { ...fake.state, ...patch };
      act(() => {
        for (const listener of listeners) listener(patch);
      });
    },
    answer(channel, answer) {
      answers.set(channel, answer);
    },
    listenerCount: () => listeners.size,
  };
  return fake;
}

/** The invokes of one channel, without the start-up getState. */
export function invokesOf(fake: FakeSluice, channel: Channel): unknown[] {
  return fake.invokes.filter((i) => i.channel === channel).map((i) => i.request);
}

/** The setSetting patches that changed `key` (e.g. `{ location: { country: 'se' } }`). */
export function patchesOf(fake: FakeSluice, key: string): Record<string, unknown>[] {
  const isRecord = (value: unknown): value is Record<string, unknown> =>
    typeof value === 'object' && value !== null;
  return invokesOf(fake, 'setSetting')
    .filter(isRecord)
    .filter((patch) => Object.hasOwn(patch, key));
}

/** The values setSetting sent for `key`. */
export function settingsSent(fake: FakeSluice, key: string): unknown[] {
  return patchesOf(fake, key).map((patch) => patch[key]);
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve(value: T): void;
  reject(error: unknown): void;
}

export function deferred<T>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

/** Run something that settles a request (resolve/reject), and let React apply what follows. */
export async function settle(run: () => void): Promise<void> {
  await act(async () => {
    run();
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
}

export interface RenderedApp extends RenderResult {
  store: AppStoreApi;
  user: UserEvent;
}

const stops: (() => void)[] = [];

afterEach(() => {
  cleanup();
  for (const stop of stops.splice(0)) stop();
  window.localStorage.clear();
});

/** Render the renderer as main.tsx does, with window.sluice = the fake, and let getState answer. */
export async function renderApp(fake: FakeSluice, options: AppStoreOptions = {}): Promise<RenderedApp> {
  window.sluice = fake.api;
  const renderer = createRenderer(window.sluice, { storage: window.localStorage, ...options });
  stops.push(renderer.stop);
  const result = render(renderer.element);
  await act(async () => {
    await new Promise((resolve) => setTimeout(resolve, 0));
  });
  return { ...result, store: renderer.store, user: userEvent.setup() };
}

/** A small relay list: Sweden (two cities, one offline relay), USA, and Germany with every relay offline. */
export function smallRelayList(): RelayList {
  const relay = (
    hostname: string,
    provider: string,
    owned: boolean,
    active = true,
  ): Record<string, unknown> => ({
    hostname,
    publicKey: `${hostname}-key`,
    ipv4AddrIn: '198.51.100.1',
    provider,
    owned,
    active,
  });
  return relayListSchema.parse({
    source: 'test',
    countries: [
      {
        code: 'se',
        name: 'Sweden',
        cities: [
          {
            code: 'got',
            name: 'Gothenburg',
            relays: [relay('se-got-wg-001', 'M247', false), relay('se-got-wg-002', 'M247', false, false)],
          },
          { code: 'sto', name: 'Stockholm', relays: [relay('se-sto-wg-001', '31173', true)] },
        ],
      },
      {
        code: 'us',
        name: 'USA',
        cities: [
          {
            code: 'nyc',
            name: 'New York',
            relays: [relay('us-nyc-wg-001', 'xtom', false), relay('us-nyc-wg-002', 'xtom', false)],
          },
        ],
      },
      {
        code: 'de',
        name: 'Germany',
        cities: [{ code: 'ber', name: 'Berlin', relays: [relay('de-ber-wg-001', 'M247', false, false)] }],
      },
    ],
  });
}

export function settingsWith(change: (settings: SluiceSettings) => void = () => undefined): SluiceSettings {
  const settings = defaultSettings();
  change(settings);
  return settings;
}

/** A helper that is up, with default settings and the small relay list. */
export function connectedState(patch: Partial<AppState> = {}): Partial<AppState> {
  return {
    helper: { kind: 'connected', version: '0.1.0' },
    settings: settingsWith(),
    relayList: smallRelayList(),
    ...patch,
  };
}
