// wg-quick as the baseline: a copy of the relay's wg-quick file named after a lab-unique interface (without
// its DNS line: the lab client has no resolvconf), brought up and down inside the client with wireguard-go
// as the userspace implementation, timed by a wrapper that runs in the client too.
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Lab, type LabRelay } from '@sluice/netlab';
import { TIMED_RUN_SCRIPT } from './client-scripts.js';
import type { TimedRunResult } from './client/protocol.js';
import { waitTunnelGone } from './lab-checks.js';

export interface WgQuickConf {
  path: string;
  interfaceName: string;
  /** Lines of the relay's file left out of the copy. */
  removedLines: string[];
}

/** The relay's wg-quick file without DNS lines; returns the kept text and the removed lines. */
export function withoutDnsLines(conf: string): { text: string; removed: string[] } {
  const lines = conf.split('\n');
  const isDns = (line: string): boolean => /^\s*DNS\s*=/i.test(line);
  return { text: lines.filter((l) => !isDns(l)).join('\n'), removed: lines.filter(isDns) };
}

/**
 * Write <lab dir>/<lab>-tc.conf (mode 0600), the relay's config minus DNS; in `subdir` of the lab
 * directory when given, so that files for several relays can all name the same interface (wg-quick takes
 * the interface name from the file name).
 */
export function writeWgQuickConf(lab: Lab, relay: LabRelay, subdir?: string): WgQuickConf {
  const interfaceName = lab.plan.clientWgInterfaces.test;
  const dir = subdir === undefined ? lab.dir : join(lab.dir, subdir);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const path = join(dir, `${interfaceName}.conf`);
  const { text, removed } = withoutDnsLines(readFileSync(relay.confPath, 'utf8'));
  writeFileSync(path, text, { mode: 0o600 });
  return { path, interfaceName, removedLines: removed };
}

async function timedWgQuick(lab: Lab, action: 'up' | 'down', conf: WgQuickConf): Promise<TimedRunResult> {
  const result = await lab.runInClient(
    [process.execPath, TIMED_RUN_SCRIPT, '--', 'wg-quick', action, conf.path],
    {
      // wireguard-go keeps the caller's stdout/stderr when LOG_LEVEL is set, which would hold our pipes open.
      env: { WG_QUICK_USERSPACE_IMPLEMENTATION: 'wireguard-go', LOG_LEVEL: undefined },
      timeoutMs: 30_000,
      allowFailure: true,
    },
  );
  const lastLine = result.stdout.trim().split('\n').pop() ?? '';
  if (result.code !== 0 || lastLine === '')
    throw new Error(
      `wg-quick ${action} failed (exit ${String(result.code)}): ${result.stderr.trim().slice(-1500)}`,
    );
  return JSON.parse(lastLine) as TimedRunResult;
}

/** `wg-quick up`, timed inside the client (the launcher's start-up is not counted). */
export function wgQuickUp(lab: Lab, conf: WgQuickConf): Promise<TimedRunResult> {
  return timedWgQuick(lab, 'up', conf);
}

/** `wg-quick down`, then wait until the interface and wireguard-go's socket are gone. */
export async function wgQuickDown(lab: Lab, conf: WgQuickConf): Promise<TimedRunResult> {
  const result = await timedWgQuick(lab, 'down', conf);
  await waitTunnelGone(lab, conf.interfaceName);
  return result;
}
