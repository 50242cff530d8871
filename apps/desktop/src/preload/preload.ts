// The sandboxed preload: exposes exactly `window.sluice` (SluiceApi) over two IPC channels and nothing
// of Electron itself. Bundled into one CommonJS file: a sandboxed preload can require only 'electron'.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
// Type-only: the channel names are checked against the schema's at compile time without pulling the
// schema (zod and the domain types) into the preload bundle.
import type {
  Channel,
  IPC_INVOKE,
  IPC_STATE,
  Request,
  Response,
  SluiceApi,
  StatePatch,
} from '../shared/ipc.js';
import { unwrapInvokeError } from './invoke-error.js';

const invokeChannel: typeof IPC_INVOKE = 'sluice:invoke';
const stateChannel: typeof IPC_STATE = 'sluice:state';

const api: SluiceApi = {
  async invoke<C extends Channel>(channel: C, request: Request<C>): Promise<Response<C>> {
    let response: unknown;
    try {
      // The main process validates `channel` and `request` against the schema; this side only carries them.
      response = await ipcRenderer.invoke(invokeChannel, channel, request);
    } catch (error) {
      throw unwrapInvokeError(error);
    }
    return response as Response<C>;
  },
  onState(listener) {
    // The IPC event (and its `sender`) never reaches the page: only the patch does.
    const forward = (_event: IpcRendererEvent, patch: StatePatch): void => listener(patch);
    ipcRenderer.on(stateChannel, forward);
    return () => {
      ipcRenderer.removeListener(stateChannel, forward);
    };
  },
};

contextBridge.exposeInMainWorld('sluice', api);
