// Whether the user wants the tunnel (connected) or not, kept across helper restarts: a helper that
// crashed or was upgraded while the user was connected comes back connected, and blocks meanwhile.
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../util/atomic-file.js';

export const TARGET_STATE_FILE = 'target-state.json';

export class TargetStateStore {
  readonly path: string;
  private secured = false;

  constructor(dir: string) {
    this.path = join(dir, TARGET_STATE_FILE);
  }

  /** The saved target; an unreadable file counts as "secured" (blocking is the safe mistake). */
  async load(): Promise<boolean> {
    try {
      const raw = JSON.parse(await readFile(this.path, 'utf8')) as { secured?: unknown };
      this.secured = raw.secured === true;
    } catch (error) {
      this.secured = (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
    return this.secured;
  }

  get current(): boolean {
    return this.secured;
  }

  async save(secured: boolean): Promise<void> {
    if (secured === this.secured) return;
    this.secured = secured;
    await writeFileAtomic(this.path, `${JSON.stringify({ secured })}\n`);
  }
}
