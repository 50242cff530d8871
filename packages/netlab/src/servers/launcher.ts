// Runs a program in the lab client's environment. Started as
//   nsenter --net=/run/netns/<client> -- unshare --mount --propagation private -- node launcher.js \
//     --resolv-conf <lab file> --host-mnt <mnt:[..]> --host-net <net:[..]> [--cgroup-layout L] -- <program> [args...]
// it checks that it really is in a private mount namespace and not in the host's network namespace (the
// caller's namespaces, as it read them from /proc/self/ns), bind-mounts the lab's resolv.conf over
// /etc/resolv.conf (visible in this mount namespace only; the rest of the file system, /sys/fs/cgroup
// included, is the host's), then runs the program, forwards signals to it and exits as it did.
// --cgroup-layout simulates another system's cgroups in this mount namespace only: `v2` mounts cgroup2
// over /sys/fs/cgroup (v2 only), `v1` a tmpfs with just net_cls (v1 only); `host` (default) leaves it.
import { readlinkSync, statSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { runSync, start } from '../exec.js';

const FORWARDED: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGQUIT', 'SIGUSR1', 'SIGUSR2'];

function fail(message: string): never {
  process.stderr.write(`netlab launcher: ${message}\n`);
  process.exit(126);
}

function main(): void {
  const separator = process.argv.indexOf('--', 2);
  if (separator < 0)
    fail('usage: launcher.js --resolv-conf <file> --host-mnt <ns> --host-net <ns> -- <program> [args...]');
  const { values } = parseArgs({
    args: process.argv.slice(2, separator),
    options: {
      'resolv-conf': { type: 'string' },
      'host-mnt': { type: 'string' },
      'host-net': { type: 'string' },
      'cgroup-layout': { type: 'string' },
    },
  });
  const resolvConf = values['resolv-conf'];
  const [program, ...programArgs] = process.argv.slice(separator + 1);
  if (resolvConf === undefined || values['host-mnt'] === undefined || values['host-net'] === undefined) {
    fail('--resolv-conf, --host-mnt and --host-net are required');
  }
  if (program === undefined) fail('no program to run');

  // Never touch the host: the mount must land in a private mount namespace, inside a lab network namespace.
  if (readlinkSync('/proc/self/ns/mnt') === values['host-mnt']) {
    fail('refusing to bind-mount in the host mount namespace (run me under unshare --mount)');
  }
  if (readlinkSync('/proc/self/ns/net') === values['host-net']) {
    fail('refusing to run in the host network namespace');
  }
  if (!statSync(resolvConf).isFile()) fail(`${resolvConf} is not a file`);
  try {
    runSync(['mount', '--bind', resolvConf, '/etc/resolv.conf'], { timeoutMs: 10_000 });
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }

  const layout = values['cgroup-layout'] ?? 'host';
  try {
    if (layout === 'v2') {
      runSync(['mount', '-t', 'cgroup2', 'none', '/sys/fs/cgroup'], { timeoutMs: 10_000 });
    } else if (layout === 'v1') {
      runSync(['mount', '-t', 'tmpfs', '-o', 'mode=755', 'cgroups', '/sys/fs/cgroup'], { timeoutMs: 10_000 });
      runSync(['mkdir', '/sys/fs/cgroup/net_cls'], { timeoutMs: 10_000 });
      runSync(['mount', '-t', 'cgroup', '-o', 'net_cls', 'net_cls', '/sys/fs/cgroup/net_cls'], {
        timeoutMs: 10_000,
      });
    } else if (layout !== 'host') fail(`--cgroup-layout ${layout}: use host, v2 or v1`);
  } catch (error) {
    fail(error instanceof Error ? error.message : String(error));
  }

  // The program gets this process's environment as it is (the caller chose the locale).
  const child = start([program, ...programArgs], { stdio: 'inherit', keepLocale: true });
  const forward = (signal: NodeJS.Signals) => () => child.kill(signal);
  for (const signal of FORWARDED) process.on(signal, forward(signal));
  child.on('error', (error) => fail(`${program}: ${error.message}`));
  child.on('exit', (code, signal) => {
    if (signal !== null) {
      for (const s of FORWARDED) process.removeAllListeners(s);
      process.kill(process.pid, signal);
      return;
    }
    process.exit(code ?? 1);
  });
}

main();
