// Diagnostics: the leak self-test, the helper's recent log lines and the problem report. Each keeps its
// own status so the view can show what is running, what it found, or why it failed, in place.
import type { LeakTestView } from '../../shared/ipc';
import { messageOf } from './errors';
import type { SliceContext } from './slice';
import type { Task } from './task';

export type { Task } from './task';

export const LOG_LINES = 500;

export interface DiagnosticsSlice {
  leakTest: Task<LeakTestView>;
  logs: Task<string[]>;
  problemReport: Task<string>;
  runLeakTest: () => void;
  loadLogs: () => void;
  copyProblemReport: () => void;
}

type TaskKey = 'leakTest' | 'logs' | 'problemReport';

export function createDiagnosticsSlice(ctx: SliceContext): DiagnosticsSlice {
  function run<K extends TaskKey>(
    key: K,
    call: () => Promise<DiagnosticsSlice[K] extends Task<infer T> ? T : never>,
  ): void {
    if (ctx.get()[key].kind === 'busy') return;
    ctx.set({ [key]: { kind: 'busy' } });
    call().then(
      (value) => ctx.set({ [key]: { kind: 'done', value } }),
      (error: unknown) => ctx.set({ [key]: { kind: 'failed', message: messageOf(error) } }),
    );
  }
  return {
    leakTest: { kind: 'idle' },
    logs: { kind: 'idle' },
    problemReport: { kind: 'idle' },
    runLeakTest: () => run('leakTest', () => ctx.api.invoke('runLeakTest', {})),
    loadLogs: () => run('logs', () => ctx.api.invoke('getLogs', { maxLines: LOG_LINES })),
    copyProblemReport: () =>
      run('problemReport', async () => (await ctx.api.invoke('copyProblemReport', {})).text),
  };
}
