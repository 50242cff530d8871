// Importing wg-quick files and relay lists: the trusted side asks for the files in a dialog and imports
// them; this keeps what the last import did (or why it failed, with file and line) for the view.
import type { ImportSummary } from '../../shared/ipc';
import { messageOf } from './errors';
import type { SliceContext } from './slice';

export type ImportStatus =
  | { kind: 'idle' }
  | { kind: 'busy' }
  | { kind: 'done'; summary: ImportSummary }
  | { kind: 'failed'; message: string };

export interface ImportSlice {
  importStatus: ImportStatus;
  importFiles: () => void;
}

export function createImportSlice(ctx: SliceContext): ImportSlice {
  return {
    importStatus: { kind: 'idle' },
    importFiles() {
      if (ctx.get().importStatus.kind === 'busy') return;
      const before = ctx.get().importStatus;
      ctx.set({ importStatus: { kind: 'busy' } });
      ctx.api.invoke('importFiles', {}).then(
        // Cancelled: what was shown before stays.
        (summary) => ctx.set({ importStatus: summary ? { kind: 'done', summary } : before }),
        (error: unknown) => ctx.set({ importStatus: { kind: 'failed', message: messageOf(error) } }),
      );
    },
  };
}
