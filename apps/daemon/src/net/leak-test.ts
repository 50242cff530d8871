// The leak self-test: is the live firewall what the current state calls for, does DNS point only at
// the chosen resolvers, and what address does the world see?
import { readFile } from 'node:fs/promises';
import { isIpAddress, safeMessage } from '@sluice/api/domain';
import type { Firewall } from './firewall.js';
import type { FirewallPolicy } from './firewall-rules.js';
import { readBodyLimited } from '../util/http.js';
import type { Runner } from './exec.js';

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
  /** Asks the URL; resolves with any HTTP answer, rejects only when nothing came back. */
  fetchAnswer?: (url: string) => Promise<HttpAnswer>;
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

export interface HttpAnswer {
  status: number;
  body: string;
}

/** The most of an answer that is read: a what-is-my-IP answer is a few hundred bytes. */
export const MAX_ANSWER_BYTES = 64 * 1024;

/** Any HTTP answer (whatever its status: an answer means the request got out); the body capped. */
async function fetchAnswer(url: string): Promise<HttpAnswer> {
  const response = await fetch(url, {
    signal: AbortSignal.timeout(8_000),
    headers: { accept: 'application/json' },
    redirect: 'manual',
  });
  return { status: response.status, body: (await readBodyLimited(response, MAX_ANSWER_BYTES)).text };
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

/** The address in a what-is-my-IP answer: JSON with a string "ip" that is an IP address. */
function answeredIp(answer: HttpAnswer): string | undefined {
  if (answer.status < 200 || answer.status > 299) return undefined;
  try {
    const body: unknown = JSON.parse(answer.body);
    const ip: unknown = typeof body === 'object' && body !== null ? Reflect.get(body, 'ip') : undefined;
    return typeof ip === 'string' && isIpAddress(ip) ? ip : undefined;
  } catch {
    return undefined;
  }
}

/** fetch's "fetch failed" with its cause (ECONNREFUSED, a timeout), in a few words. */
function describeFetchError(error: Error): string {
  const cause: unknown = Reflect.get(error, 'cause');
  if (error.name === 'TimeoutError' || error.name === 'AbortError') return 'no answer within 8 s';
  if (cause instanceof Error) return safeMessage(cause.message, 200);
  return safeMessage(error.message, 200);
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
  let answer: HttpAnswer | undefined;
  let unreachable = '';
  try {
    answer = await (inputs.fetchAnswer ?? fetchAnswer)(inputs.whatIsMyIpUrl);
  } catch (error) {
    unreachable = error instanceof Error ? describeFetchError(error) : String(error);
  }
  // Blocked with no tunnel: only a network-level refusal is right. Any answer at all, JSON or not,
  // means the request left the machine.
  const blockedOffline = inputs.relayAddress === undefined && intendedPolicy.kind !== 'none';
  if (blockedOffline) {
    checks.push({
      name: 'exit-address',
      passed: answer === undefined,
      detail:
        answer === undefined
          ? `blocked: ${inputs.whatIsMyIpUrl} is unreachable, as it should be (${unreachable})`
          : `${inputs.whatIsMyIpUrl} answered (HTTP ${answer.status}) although all traffic should be blocked: traffic is leaving`,
    });
  } else if (answer === undefined) {
    checks.push({
      name: 'exit-address',
      passed: false,
      detail: `could not ask ${inputs.whatIsMyIpUrl}: ${unreachable}`,
    });
  } else {
    const ip = answeredIp(answer);
    observedAddress = ip ?? '';
    if (ip === undefined) {
      checks.push({
        name: 'exit-address',
        passed: false,
        detail: `${inputs.whatIsMyIpUrl} answered HTTP ${answer.status} without JSON {"ip": "..."}; point the leak test at a what-is-my-IP service that gives one`,
      });
    } else if (inputs.relayAddress === undefined) {
      checks.push({ name: 'exit-address', passed: true, detail: `not connected: the world sees ${ip}` });
    } else {
      const own = await localAddresses(inputs.runner, undefined).catch((): string[] => []);
      const exposed = own.includes(ip);
      checks.push({
        name: 'exit-address',
        passed: !exposed,
        detail: exposed
          ? `the world sees ${ip}, an address of this machine: traffic is leaving outside the tunnel`
          : `the world sees ${ip}${ip === inputs.relayAddress ? ' (the relay)' : ` (relay ${inputs.relayAddress})`}`,
      });
    }
  }

  const ruleHits = (await firewall?.hitsSinceStart().catch(() => undefined)) ?? new Map<string, number>();
  return { passed: checks.every((c) => c.passed), checks, observedAddress, ruleHits };
}
