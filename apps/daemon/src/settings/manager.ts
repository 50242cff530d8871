// The live settings: one copy in memory, changed only through `update`, which validates, persists and
// then publishes. Updates are serialised so concurrent RPCs cannot interleave their writes.
import type { SluiceSettings } from '@sluice/api/domain';
import type { SettingsStore } from './store.js';

export type SettingsListener = (settings: SluiceSettings) => void;

export class SettingsManager {
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<SettingsListener>();

  constructor(
    private readonly store: SettingsStore,
    private current: SluiceSettings,
  ) {}

  get settings(): SluiceSettings {
    return this.current;
  }

  onChange(listener: SettingsListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Apply `change` (which throws on bad input); nothing is written or published when it throws. */
  update(change: (settings: SluiceSettings) => SluiceSettings): Promise<SluiceSettings> {
    const run = async (): Promise<SluiceSettings> => {
      const next = change(structuredClone(this.current));
      if (JSON.stringify(next) === JSON.stringify(this.current)) return this.current;
      await this.store.save(next);
      this.current = next;
      for (const listener of this.listeners) listener(next);
      return next;
    };
    const result = this.queue.then(run, run);
    this.queue = result.catch(() => undefined);
    return result;
  }
}
