// Network changes, as the kernel announces them: `ip monitor route` prints a line per route change. A
// change of a default route in the main table (a new uplink, Wi-Fi to Ethernet, a DHCP renewal with a
// new gateway) is a network change; the tunnel's own routes live in another table and are ignored.
import type { LaunchedProcess, ProcessLauncher } from '../tunnel/process.js';

/** True for `ip monitor route` lines that add or remove a main-table default route. */
export function isMainDefaultRouteChange(line: string): boolean {
  const text = line.replace(/^Deleted /, '').trim();
  if (!/^default\b/.test(text)) return false;
  // Routes outside the main table carry "table X"; main-table ones print no table.
  return !/\btable\s+(?!main\b)\S+/.test(text);
}

export interface RouteWatch {
  stop(): void;
}

/** Follow `ip monitor route`; `onChange` gets each main-table default route change. */
export function watchDefaultRoutes(launcher: ProcessLauncher, onChange: (line: string) => void): RouteWatch {
  let stopped = false;
  let current: LaunchedProcess | undefined;
  const start = (): void => {
    if (stopped) return;
    current = launcher.launch(['ip', 'monitor', 'route'], {
      onOutput: (line) => {
        if (!stopped && isMainDefaultRouteChange(line)) onChange(line);
      },
    });
    // `ip monitor` only ends if killed or its netlink socket fails: start it again (not in a tight loop).
    void current.exited.then(() => {
      if (!stopped) setTimeout(start, 1_000);
    });
  };
  start();
  return {
    stop: () => {
      stopped = true;
      current?.kill('SIGTERM');
    },
  };
}
