// The leak self-test: is the live firewall what the current state calls for, does DNS point only at
// the chosen resolvers, and what address does the world see?
import { readFile } from 'node:fs/promises';
import type { Firewall } from './firewall.js';
import type { FirewallPolicy } from './firewall-rules.js';
import type { Runner } from './exec.js';

export const DEFAULT_WHAT_IS_MY_IP_URL = 'https://ifconfig.co/json';

export interface LeakCheckResult {
  name: string;
  passed: boolean;
  detail: string;
}

export interface LeakTestInputs {
  firewall: Firewall | undefined;
  intendedPolicy: FirewallPolicy;
  /** Resolvers DNS must use now, or undefined when no tunnel is up. */
  intendedDns: string[] | undefined;
  /** The file the static DNS backend manages, or undefined for other backends. */
  resolvConfPath: string | undefined;
  relayAddress: string | undefined;
  runner: Runner;
  whatIsMyIpUrl: string;
  fetchText?: (url: string) => Promise<string>;
}

export interface LeakTestResult {
  passed: boolean;
  checks: LeakCheckResult[];
  observedAddress: string;
  ruleHits: Map<string, number>;
}

export function nameserversIn(resolvConf: string): string[] {
  return [...resolvConf.matchAll(/^\s*nameserver\s+(\S+)/gm)].map((m) => m[1] ?? '');
}

async function fetchText(url: string): Promise<string> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(8_000),
    headers: { accept: 'application/json' },
  });
  if (!response.ok) throw new Error(`HTTP ${response.status}`);
  return response.text();
}

interface AddrInfo {
  addr_info?: { local?: string }[];
  ifname?: string;
}

async function localAddresses(runner: Runner, except: string | undefined): Promise<string[]> {
  const { stdout } = await runner.run(['ip', '-j', 'address', 'show']);
  const links = JSON.parse(stdout) as AddrInfo[];
  return links
    .filter((l) => l.ifname !== except && l.ifname !== 'lo')
    .flatMap((l) => (l.addr_info ?? []).map((a) => a.local ?? ''));
}

export async function runLeakTest(inputs: LeakTestInputs): Promise<LeakTestResult> {
  const checks: LeakCheckResult[] = [];
  const { firewall, intendedPolicy } = inputs;

  if (!firewall) {
    checks.push({
      name: 'firewall',
      passed: false,
      detail: 'no firewall: nftables is not available, nothing blocks leaks',
    });
  } else {
    const problems = await firewall.verify(intendedPolicy);
    checks.push({
      name: 'firewall',
      passed: problems.length === 0,
      detail:
        problems.length === 0 ? `the live table is the ${intendedPolicy.kind} policy` : problems.join('; '),
    });
  }

  if (inputs.intendedDns === undefined) {
    checks.push({ name: 'dns', passed: true, detail: 'no tunnel: the system resolvers are in use' });
  } else if (inputs.resolvConfPath === undefined) {
    checks.push({
      name: 'dns',
      passed: true,
      detail: `resolvers set through the DNS backend: ${inputs.intendedDns.join(', ')}`,
    });
  } else {
    const seen = nameserversIn(await readFile(inputs.resolvConfPath, 'utf8').catch(() => ''));
    const wanted = inputs.intendedDns.slice(0, 3);
    const ok = seen.length > 0 && seen.every((server) => wanted.includes(server));
    checks.push({
      name: 'dns',
      passed: ok,
      detail: ok
        ? `resolv.conf uses only ${seen.join(', ')}`
        : `resolv.conf uses ${seen.join(', ') || 'nothing'}; expected ${wanted.join(', ')}`,
    });
  }

  let observedAddress = '';
  try {
    const body = JSON.parse(await (inputs.fetchText ?? fetchText)(inputs.whatIsMyIpUrl)) as { ip?: unknown };
    if (typeof body.ip !== 'string') throw new Error('the answer has no "ip"');
    observedAddress = body.ip;
    if (inputs.relayAddress === undefined) {
      checks.push({
        name: 'exit-address',
        passed: true,
        detail: `not connected: the world sees ${observedAddress}`,
      });
    } else {
      const own = await localAddresses(inputs.runner, undefined).catch((): string[] => []);

      const exposed = own.includes(observedAddress);
      checks.push({
        name: 'exit-address',
        passed: !exposed,
        detail: exposed
          ? `the world sees ${observedAddress}, an address of this machine: traffic is leaving outside the tunnel`
          : `the world sees ${observedAddress}${observedAddress === inputs.relayAddress ? ' (the relay)' : ` (relay ${inputs.relayAddress})`}`,
      });
    }
  } catch (error) {
    const why = error instanceof Error ? error.message : String(error);
    // Blocked with no tunnel, no answer is the right answer.
    const blockedOffline = inputs.relayAddress === undefined && intendedPolicy.kind !== 'none';
    checks.push({
      name: 'exit-address',
      passed: blockedOffline,
      detail: blockedOffline
        ? `blocked: ${inputs.whatIsMyIpUrl} is unreachable, as it should be`
        : `could not ask ${inputs.whatIsMyIpUrl}: ${why}`,
    });
  }

  const ruleHits = (await firewall?.hitsSinceStart().catch(() => undefined)) ?? new Map<string, number>();
  return { passed: checks.every((c) => c.passed), checks, observedAddress, ruleHits };
}
