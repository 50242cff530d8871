// Connects the renderer's invoke channel to the backend, acting only on messages from our own window,
// and pushes the backend's state patches back. Electron's ipcMain and webContents fit these shapes.
import { IPC_INVOKE, IPC_STATE, type StatePatch } from '../shared/ipc.js';
import { isTrustedSender } from './security.js';

/** The parts of Electron's IpcMainInvokeEvent the sender check reads. */
export interface InvokeEventLike {
  sender: { id: number };
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEventLike, ...args: unknown[]) => unknown): void;
  removeHandler(channel: string): void;
}

export interface RequestHandler {
  handle(channel: unknown, payload: unknown): Promise<unknown>;
}

export interface BridgeOptions {
  /** The renderer's index.html URL: the only document whose messages are acted on. */
  expectedUrl: URL;
  /** The main window's webContents id, undefined while there is no window. */
  windowId(): number | undefined;
  /** Told about each refused message (for the log). */
  onRefused?(reason: string): void;
}

export const REFUSED_MESSAGE = 'request refused: it did not come from the Sluice window';

/** Register the invoke handler; returns the function that removes it. */
export function bridgeInvoke(
  ipcMain: IpcMainLike,
  backend: RequestHandler,
  options: BridgeOptions,
): () => void {
  ipcMain.handle(IPC_INVOKE, (event, channel, payload) => {
    const frame = event.senderFrame;
    const trusted = isTrustedSender(
      {
        senderId: event.sender.id,
        windowId: options.windowId(),
        frameUrl: frame?.url,
        isMainFrame: frame !== null && frame.parent === null,
      },
      options.expectedUrl,
    );
    if (!trusted) {
      options.onRefused?.(`sender ${event.sender.id} at ${frame?.url ?? '(no frame)'}`);
      return Promise.reject(new Error(REFUSED_MESSAGE));
    }
    return backend.handle(channel, payload);
  });
  return () => ipcMain.removeHandler(IPC_INVOKE);
}

export interface StateTarget {
  isDestroyed(): boolean;
  send(channel: string, patch: StatePatch): void;
}

/** Send a state patch to the window, unless it is gone. */
export function sendPatch(target: StateTarget | undefined, patch: StatePatch): void {
  if (target && !target.isDestroyed()) target.send(IPC_STATE, patch);
}
