// Ctrl-C (and SIGTERM, SIGHUP) during a run: the first signal aborts what the bench is waiting for (the idle
// window waits on it; everything else fails as netlab tears the lab down), so the finally blocks stop the
// helper and take the lab down and the bench exits without a report. A second signal exits at once; netlab's
// exit handler still removes the lab.

const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const NUMBERS: Partial<Record<NodeJS.Signals, number>> = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 };

export class Interrupted extends Error {
  override name = 'Interrupted';
  constructor(readonly signalName: NodeJS.Signals) {
    super(`interrupted by ${signalName}`);
  }

  /** The shell's convention: 128 + the signal's number. */
  get exitCode(): number {
    return 128 + (NUMBERS[this.signalName] ?? 2);
  }
}

export interface InterruptWatch {
  readonly signal: AbortSignal;
  dispose(): void;
}

export function watchInterrupts(log: (line: string) => void): InterruptWatch {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals): void => {
    if (!controller.signal.aborted) {
      log(`${signal}: stopping; the helper and the lab are being torn down (again to exit at once)`);
      controller.abort(new Interrupted(signal));
      return;
    }
    log(`${signal} again: exiting now`);
    process.exit(128 + (NUMBERS[signal] ?? 2));
  };
  for (const signal of SIGNALS) process.on(signal, onSignal);
  return {
    signal: controller.signal,
    dispose: () => {
      for (const signal of SIGNALS) process.removeListener(signal, onSignal);
    },
  };
}
