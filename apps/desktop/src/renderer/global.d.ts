// The only door out of the sandboxed renderer: the typed API the preload (or the e2e shell) exposes.
import type { SluiceApi } from '../shared/ipc';

declare global {
  interface Window {
    sluice: SluiceApi;
  }
}

export {};
