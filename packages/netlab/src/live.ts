// Labs this process owns are torn down on every way out: SIGINT/SIGTERM/SIGHUP (then the signal's default
// action, unless someone else handles it), uncaught errors and plain exits (the synchronous 'exit' path).
// The handlers exist only while this process owns a live lab.

export interface Teardownable {
  readonly name: string;
  down(): Promise<void>;
  downSync(): void;
}

const live = new Set<Teardownable>();
const SIGNALS: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
let installed = false;

function onExit(): void {
  for (const lab of [...live]) {
    try {
      lab.downSync();
    } catch (error) {
      process.stderr.write(`netlab: teardown of ${lab.name} at exit failed: ${String(error)}\n`);
    }
  }
  live.clear();
}

function onSignal(signal: NodeJS.Signals): void {
  process.stderr.write(`netlab: ${signal}: tearing down ${[...live].map((l) => l.name).join(', ')}\n`);
  void Promise.allSettled([...live].map((lab) => lab.down())).then(() => {
    uninstall();
    // Nobody else listens: do what the signal would have done without us.
    if (process.listenerCount(signal) === 0) process.kill(process.pid, signal);
  });
}

function install(): void {
  if (installed) return;
  installed = true;
  process.on('exit', onExit);
  for (const signal of SIGNALS) process.on(signal, onSignal);
}

function uninstall(): void {
  if (!installed) return;
  installed = false;
  process.removeListener('exit', onExit);
  for (const signal of SIGNALS) process.removeListener(signal, onSignal);
}

export function registerLive(lab: Teardownable): void {
  live.add(lab);
  install();
}

export function unregisterLive(lab: Teardownable): void {
  live.delete(lab);
  if (live.size === 0) uninstall();
}
