// The preload: exposes exactly window.sluice over the two IPC channels, hides the IPC event from the
// page, and gives the renderer the helper's own error message. Electron is replaced by a fake.
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { unwrapInvokeError, unwrapInvokeMessage } from '../../src/preload/invoke-error.js';
import { IPC_INVOKE, IPC_STATE, type SluiceApi, type StatePatch } from '../../src/shared/ipc.js';

type Listener = (event: unknown, ...args: unknown[]) => void;

const electron = vi.hoisted(() => {
  const listeners = new Map<string, Set<Listener>>();
  return {
    exposed: new Map<string, unknown>(),
    listeners,
    invoke: vi.fn<(channel: string, ...args: unknown[]) => Promise<unknown>>(),
    emit(channel: string, ...args: unknown[]) {
      for (const listener of listeners.get(channel) ?? []) listener({ sender: 'the IPC event' }, ...args);
    },
  };
});

vi.mock('electron', () => ({
  contextBridge: {
    exposeInMainWorld: (key: string, api: unknown) => electron.exposed.set(key, api),
  },
  ipcRenderer: {
    invoke: electron.invoke,
    on: (channel: string, listener: Listener) => {
      const set = electron.listeners.get(channel) ?? new Set<Listener>();
      set.add(listener);
      electron.listeners.set(channel, set);
    },
    removeListener: (channel: string, listener: Listener) =>
      electron.listeners.get(channel)?.delete(listener),
  },
}));

describe('invoke errors', () => {
  it('lose Electron’s remote-method wrapper', () => {
    expect(
      unwrapInvokeMessage(
        "Error invoking remote method 'sluice:invoke': Error: no relay matches the location",
      ),
    ).toBe('no relay matches the location');
    expect(unwrapInvokeMessage("Error invoking remote method 'sluice:invoke': TypeError: bad")).toBe('bad');
    expect(unwrapInvokeMessage("Error invoking remote method 'sluice:invoke': plain words")).toBe(
      'plain words',
    );
  });

  it('keep messages that were never wrapped', () => {
    expect(unwrapInvokeMessage('setAllowLan: allow: Invalid input')).toBe(
      'setAllowLan: allow: Invalid input',
    );
    expect(unwrapInvokeError('a string').message).toBe('a string');
  });
});

describe('preload', () => {
  let api: SluiceApi;

  beforeAll(async () => {
    await import('../../src/preload/preload.js');
    api = electron.exposed.get('sluice') as SluiceApi;
  });

  it('exposes window.sluice and nothing else', () => {
    expect([...electron.exposed.keys()]).toEqual(['sluice']);
    expect(Object.keys(api).sort()).toEqual(['invoke', 'onState']);
  });

  it('invokes the one invoke channel with the channel name and request', async () => {
    electron.invoke.mockResolvedValueOnce(undefined);
    await expect(api.invoke('setSetting', { lockdownMode: true })).resolves.toBeUndefined();
    expect(electron.invoke).toHaveBeenCalledWith(IPC_INVOKE, 'setSetting', { lockdownMode: true });
  });

  it('rejects with the helper’s own message', async () => {
    electron.invoke.mockRejectedValueOnce(
      new Error("Error invoking remote method 'sluice:invoke': Error: the helper is not connected yet"),
    );
    await expect(api.invoke('connect', {})).rejects.toThrow(/^the helper is not connected yet$/);
  });

  it('delivers state patches without the IPC event, until unsubscribed', () => {
    const seen: unknown[][] = [];
    const stop = api.onState((...args: unknown[]) => seen.push(args));
    const patch: StatePatch = { trayAvailable: false };
    electron.emit(IPC_STATE, patch);
    expect(seen).toEqual([[patch]]);
    stop();
    electron.emit(IPC_STATE, { trayAvailable: true });
    expect(seen).toHaveLength(1);
    expect(electron.listeners.get(IPC_STATE)?.size).toBe(0);
  });
});
