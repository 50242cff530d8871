// The relay list on disk: <state-dir>/relays.json in Sluice's relay-list format, written atomically, a
// file that cannot be read moved aside (relays.json.corrupt-<timestamp>) and reported, never overwritten.
import { join } from 'node:path';
import { emptyRelayList, type RelayList } from '@sluice/api/domain';
import { loadFile, writeFileAtomic, type FaultHook } from '../util/atomic-file.js';
import { formatProblem, RelayImportError } from './import-error.js';
import { parseJsonText } from './json-text.js';
import { readSluiceRelayList, type PresharedKeys } from './sluice-json.js';

export const RELAY_LIST_FILE = 'relays.json';

export interface RelayListLoadResult {
  list: RelayList;
  presharedKeys: PresharedKeys;
  /** Set when the file existed but could not be used: where it was moved and why. */
  recovered?: { movedTo: string; reason: string };
}

export class RelayListStore {
  readonly path: string;

  constructor(
    readonly dir: string,
    private readonly faultHook?: FaultHook,
  ) {
    this.path = join(dir, RELAY_LIST_FILE);
  }

  /** The stored list; an empty one when there is no file or it was unusable (see `recovered`). */
  async load(): Promise<RelayListLoadResult> {
    const loaded = await loadFile(this.path, parseRelayListFile);
    if (loaded.kind === 'loaded') return loaded.value;
    const empty = { list: emptyRelayList(), presharedKeys: {} };
    if (loaded.kind === 'missing') return empty;
    return { ...empty, recovered: { movedTo: loaded.movedTo, reason: loaded.reason } };
  }

  /** Mode 0600: the file may hold pre-shared keys. */
  async save(list: RelayList, presharedKeys: PresharedKeys = {}): Promise<void> {
    const document = Object.keys(presharedKeys).length > 0 ? { ...list, presharedKeys } : list;
    await writeFileAtomic(this.path, `${JSON.stringify(document, null, 2)}\n`, 0o600, this.faultHook);
  }
}

/** Parse and validate the stored file's text; throws with every problem in the message. */
export function parseRelayListFile(text: string): { list: RelayList; presharedKeys: PresharedKeys } {
  try {
    return readSluiceRelayList(RELAY_LIST_FILE, parseJsonText(RELAY_LIST_FILE, text));
  } catch (error) {
    if (error instanceof RelayImportError) throw new Error(error.problems.map(formatProblem).join('; '));
    throw error;
  }
}
