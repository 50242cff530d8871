// The live relay list: loaded at start, changed by imports and updates (serialised, all-or-nothing),
// saved with its pre-shared keys, and announced to listeners.
import { readBodyLimited } from '../util/http.js';
import { basename } from 'node:path';
import { ValidationError, type LocationConstraint, type RelayList } from '@sluice/api/domain';
import { importRelayFiles, type ImportFile, type ImportResult } from './import.js';
import type { PresharedKeys } from './sluice-json.js';
import type { RelayListStore } from './store.js';

export interface RelaySnapshot {
  list: RelayList;
  presharedKeys: PresharedKeys;
}

export class RelayListUpdateError extends Error {
  override readonly name = 'RelayListUpdateError';
}

/** What an update may download; a Mullvad list is about 300 KB. */
const MAX_RELAY_LIST_BYTES = 16 * 1024 * 1024;

export class RelayManager {
  private snapshot: RelaySnapshot;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly listeners = new Set<(list: RelayList) => void>();

  constructor(
    private readonly store: RelayListStore,
    initial: RelaySnapshot,
  ) {
    this.snapshot = initial;
  }

  current(): RelaySnapshot {
    return this.snapshot;
  }

  onChange(listener: (list: RelayList) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * Import files into (or instead of) the list. `beforeSave` sees the result first (the identity is
   * imported there) and may refuse it; nothing is saved when anything throws.
   */
  import(
    files: readonly ImportFile[],
    options: { replace: boolean; location?: LocationConstraint },
    beforeSave?: (result: ImportResult) => Promise<void>,
  ): Promise<ImportResult> {
    return this.serialised(async () => {
      const result = importRelayFiles(files, {
        existing: this.snapshot.list,
        existingPresharedKeys: this.snapshot.presharedKeys,
        replace: options.replace,
        ...(options.location ? { location: options.location } : {}),
      });
      await beforeSave?.(result);
      await this.commit({ list: result.list, presharedKeys: result.presharedKeys });
      return result;
    });
  }

  /** Download a relay list (Sluice or Mullvad JSON) and replace the current list with it. */
  update(
    url: string | undefined,
    fetchText: (url: string) => Promise<string> = fetchRelayList,
  ): Promise<ImportResult> {
    return this.serialised(async () => {
      const source = url ?? this.snapshot.list.source;
      if (!/^https?:\/\//.test(source)) {
        throw new ValidationError(
          'url',
          `no relay-list URL${source ? ` (the list came from "${source}")` : ''}; give one, e.g. https://example.net/relays.json`,
        );
      }
      const content = await fetchText(source);
      const result = importRelayFiles(
        [{ name: basename(new URL(source).pathname) || 'relays.json', content }],
        {
          existing: this.snapshot.list,
          existingPresharedKeys: this.snapshot.presharedKeys,
          replace: true,
        },
      );
      if (result.identity)
        throw new ValidationError('url', 'a downloaded relay list may not carry a private key');
      const list = { ...result.list, source };
      await this.commit({ list, presharedKeys: result.presharedKeys });
      return { ...result, list };
    });
  }

  private async commit(next: RelaySnapshot): Promise<void> {
    await this.store.save(next.list, next.presharedKeys);
    this.snapshot = next;
    for (const listener of this.listeners) listener(next.list);
  }

  private serialised<T>(job: () => Promise<T>): Promise<T> {
    const result = this.queue.then(job, job);
    this.queue = result.catch(() => undefined);
    return result;
  }
}

export async function fetchRelayList(url: string): Promise<string> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(15_000), redirect: 'follow' });
  } catch (error) {
    throw new RelayListUpdateError(
      `could not download ${url}: ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  if (!response.ok) throw new RelayListUpdateError(`could not download ${url}: HTTP ${response.status}`);
  const length = Number(response.headers.get('content-length') ?? '0');
  if (length > MAX_RELAY_LIST_BYTES)
    throw new RelayListUpdateError(
      `${url} is ${length} bytes; a relay list is at most ${MAX_RELAY_LIST_BYTES}`,
    );
  // Content-Length may be absent or false: the body is counted as it arrives.
  const { text, complete } = await readBodyLimited(response, MAX_RELAY_LIST_BYTES);
  if (!complete)
    throw new RelayListUpdateError(
      `${url} is larger than ${MAX_RELAY_LIST_BYTES} bytes; a relay list is at most that`,
    );
  return text;
}
