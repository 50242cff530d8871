// Whether the user wants the tunnel (connected) or not, kept across helper restarts: a helper that
// crashed or was upgraded while the user was connected comes back connected, and blocks meanwhile.
import { join } from 'node:path';
import { readFileNoFollow, writeFileAtomic } from '../util/atomic-file.js';

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
      const raw = JSON.parse(await readFileNoFollow(this.path)) as { secured?: unknown };
      this.secured = raw.secured === true;
    } catch (error) {
      this.secured = (error as NodeJS.ErrnoException).code !== 'ENOENT';
    }
    return this.secured;
  }

  get current(): boolean {
    return this.secured;
  }

  /** Writes are queued per file and the newest wins, so the file ends with the user's last word. */
  async save(secured: boolean): Promise<void> {
    this.secured = secured;
    await writeFileAtomic(this.path, `${JSON.stringify({ secured })}\n`);
  }
}
