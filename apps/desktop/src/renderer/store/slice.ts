// What every slice of the store gets to work with.
import type { StoreApi } from 'zustand/vanilla';
import type { SluiceApi } from '../../shared/ipc';
import type { AppStore } from './app-store';

export interface SliceContext {
  api: SluiceApi;
  set: StoreApi<AppStore>['setState'];
  get: () => AppStore;
  /** How long an optimistic value outlives a successful request when the helper sends no news. */
  settleMs: number;
  /** setTimeout that the store cancels when it stops. */
  later: (run: () => void, ms: number) => void;
  /** The clock (tests pin it). */
  now: () => number;
  /** A fresh id, to tell a request from the ones before it. */
  nextRequestId: () => number;
  /** Show a failed request to the user: "<what>: <the helper's message>". */
  report: (what: string, error: unknown) => void;
}
