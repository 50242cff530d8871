// Removes the split-tunnel cgroups a lab's helpers left (by name prefix), in the cgroup v2 hierarchy
// and in net_cls's v1 hierarchy. Started by teardown as
//   unshare --mount --propagation private -- node cgroup-cleanup.js --host-mnt <mnt:[..]> <prefix>
// net_cls is mounted only in this private mount namespace (the host has it nowhere), and only to look.
// Processes still inside go back to the hierarchy's root first. Prints what it removed as JSON.
import { mkdtempSync, readFileSync, readdirSync, readlinkSync, rmdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runSync } from '../exec.js';

function fail(message: string): never {
  process.stderr.write(`netlab cgroup-cleanup: ${message}\n`);
  process.exit(2);
}

function clean(root: string, prefix: string, removed: string[]): void {
  let names: string[];
  try {
    names = readdirSync(root);
  } catch {
    return;
  }
  for (const name of names.filter((n) => n.startsWith(prefix))) {
    const dir = join(root, name);
    try {
      for (const pid of readFileSync(join(dir, 'cgroup.procs'), 'utf8').split('\n').filter(Boolean)) {
        try {
          writeFileSync(join(root, 'cgroup.procs'), pid);
        } catch {
          // Gone already.
        }
      }
      rmdirSync(dir);
      removed.push(dir);
    } catch (error) {
      process.stderr.write(
        `netlab cgroup-cleanup: ${dir}: ${error instanceof Error ? error.message : String(error)}\n`,
      );
    }
  }
}

function main(): void {
  const [flag, hostMnt, prefix] = process.argv.slice(2);
  if (
    flag !== '--host-mnt' ||
    hostMnt === undefined ||
    prefix === undefined ||
    !/^sluice-[a-z0-9]+-$/.test(prefix)
  )
    fail('usage: cgroup-cleanup.js --host-mnt <ns> sluice-<lab>-');
  if (readlinkSync('/proc/self/ns/mnt') === hostMnt) fail('refusing to mount in the host mount namespace');
  const removed: string[] = [];
  for (const line of readFileSync('/proc/self/mountinfo', 'utf8').split('\n')) {
    const fields = line.split(' ');
    const type = fields[fields.indexOf('-') + 1];
    const point = fields[4];
    if (type === 'cgroup2' && point !== undefined) clean(point, prefix, removed);
  }
  const at = mkdtempSync(join(tmpdir(), 'netlab-net_cls-'));
  try {
    runSync(['mount', '-t', 'cgroup', '-o', 'net_cls', 'net_cls', at], { timeoutMs: 10_000 });
    try {
      clean(at, prefix, removed);
    } finally {
      runSync(['umount', at], { timeoutMs: 10_000, allowFailure: true });
    }
  } catch {
    // No net_cls on this kernel, or it is bound elsewhere: nothing of ours can be there.
  } finally {
    rmdirSync(at);
  }
  process.stdout.write(`${JSON.stringify(removed)}\n`);
}

main();
