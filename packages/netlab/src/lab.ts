// The lab: network namespaces for an ISP, a client, a "web" host and WireGuard relays, joined by veth
// links made inside the namespaces (never in the host's). See plan.ts for the addresses.
import { type ChildProcess, type StdioOptions } from 'node:child_process';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LeakCapture } from './capture.js';
import {
  blackholeCommands,
  clientBatch,
  clientResolvConf,
  hostBatch,
  ispBatch,
  ispRuleset,
  labZone,
  namespaceSysctls,
  pathMtuCommands,
  relayConfFileName,
  relayListJson,
  relayRuleset,
  relayTunnelBatch,
  relayWgQuickConf,
  switchUplinkBatch,
} from './config.js';
import { inNetns, run, start, type RunOptions, type RunResult } from './exec.js';
import { startHelper as startLabHelper, type HelperOptions, type LabHelper } from './helper.js';
import { generateKeyPair, type KeyPair } from './keys.js';
import { registerLive, unregisterLive, type Teardownable } from './live.js';
import {
  allNamespaces,
  DEFAULT_RELAY_COUNT,
  findRelay,
  planLab,
  relayLocations,
  type DualAddress,
  type LabPlan,
  type RelayPlan,
} from './plan.js';
import type { DnsLogRecord, DnsServerConfig, HttpServerConfig } from './servers/types.js';
import { createLabDir, labDir, readState, writeState, type LabState } from './state.js';
import {
  cleanupStaleLabs,
  destroyLab,
  destroyLabSync,
  killProcessesIn,
  WIREGUARD_RUN_DIR,
} from './teardown.js';
import { checkRoot, checkTools } from './tools.js';
import { waitFor } from './wait.js';

export interface LabOptions {
  /** Number of relays, 1..12 (default 3: se-got, de-fra, us-nyc). */
  relays?: number;
  /** Keep the lab up after this process exits (the CLI's `up`); only `down` removes it. */
  detached?: boolean;
  /** Start sluiced (apps/daemon/dist/main.js, or `path`) in the client namespace. */
  helper?: boolean | { path: string };
  /** Progress messages. */
  log?: (line: string) => void;
  /**
   * The cgroup filesystem every client program (the helper too) sees: the host's (default), or a
   * simulated v2-only or v1-only system in the client's private mount namespaces.
   */
  cgroupLayout?: ClientCgroupLayout;
}

export type ClientCgroupLayout = 'host' | 'v2' | 'v1';

/** The prefix of every split-tunnel cgroup a lab's helpers make (teardown removes what is left). */
export const labCgroupPrefix = (lab: string): string => `sluice-${lab}-`;

/** A namespace by role: 'isp', 'client', 'web', or a relay (se-got or se-got-wg-001). */
export type LabNode = 'isp' | 'client' | 'web' | (string & {});

export interface LabRelay {
  /** se-got */
  name: string;
  /** se-got-wg-001 */
  hostname: string;
  namespace: string;
  country: string;
  city: string;
  /** Public (endpoint) addresses; what web sees when traffic leaves through this relay. */
  address: DualAddress;
  port: number;
  portRange: { first: number; last: number };
  publicKey: string;
  wgInterface: string;
  /** The client identity's wg-quick config for this relay. */
  confPath: string;
}

export interface ClientSpawnOptions {
  env?: Readonly<Record<string, string | undefined>>;
  stdio?: StdioOptions;
  detached?: boolean;
  cwd?: string;
  keepLocale?: boolean;
}

export interface WhatIsMyIpOptions {
  timeoutMs?: number;
  /** Ask for web.lab through the client's resolver instead of web's address. */
  useDns?: boolean;
}

interface LabKeys {
  client: KeyPair;
  relays: Record<string, KeyPair>;
}

const PACKAGE_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const SERVERS_DIR = join(PACKAGE_ROOT, 'dist', 'servers');
/** sluiced and the sluice CLI of this checkout (built). */
export const HELPER_MAIN = resolve(PACKAGE_ROOT, '..', '..', 'apps', 'daemon', 'dist', 'main.js');
export const CLI_MAIN = resolve(PACKAGE_ROOT, '..', '..', 'apps', 'cli', 'dist', 'main.js');
/** sluiced as the packages ship it: one bundle (apps/desktop's build), which the units run. */
export const HELPER_BUNDLE = resolve(
  PACKAGE_ROOT,
  '..',
  '..',
  'apps',
  'desktop',
  'dist',
  'helper',
  'sluiced.cjs',
);

/** A compiled server script (the lab runs them with this Node binary inside namespaces). */
export function serverScript(name: 'dns' | 'http' | 'probe' | 'launcher'): string {
  const path = join(SERVERS_DIR, `${name}.js`);
  if (!existsSync(path)) {
    throw new Error(`netlab: ${path} is missing; build the package first (npx tsc -b packages/netlab)`);
  }
  return path;
}

export class Lab implements Teardownable {
  readonly name: string;
  readonly plan: LabPlan;
  readonly dir: string;
  readonly confDir: string;
  readonly relayListPath: string;
  readonly resolvConfPath: string;
  readonly relays: readonly LabRelay[];
  private readonly log: (line: string) => void;
  private readonly keys: LabKeys;
  private blackholed = new Set<string>();
  private downPromise: Promise<void> | undefined;

  private constructor(
    plan: LabPlan,
    keys: LabKeys,
    log: (line: string) => void,
    readonly cgroupLayout: ClientCgroupLayout = 'host',
  ) {
    this.name = plan.name;
    this.plan = plan;
    this.keys = keys;
    this.log = log;
    this.dir = labDir(plan.name);
    this.confDir = join(this.dir, 'confs');
    this.relayListPath = join(this.confDir, 'relays.json');
    this.resolvConfPath = join(this.dir, 'resolv.conf');
    this.relays = plan.relays.map((relay) => {
      const key = keys.relays[relay.location.name];
      if (key === undefined) throw new Error(`no key for relay ${relay.location.name}`);
      return {
        name: relay.location.name,
        hostname: relay.hostname,
        namespace: relay.namespace,
        country: relay.location.countryCode,
        city: relay.location.cityCode,
        address: { ...relay.link.peer },
        port: relay.port,
        portRange: { ...relay.portRange },
        publicKey: key.publicKey,
        wgInterface: relay.wgInterface,
        confPath: join(this.confDir, relayConfFileName(relay)),
      };
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Life cycle

  /** Bring a new lab up (removing stale labs of killed runs first). Needs root. */
  static async up(options: LabOptions = {}): Promise<Lab> {
    checkRoot();
    checkTools();
    const log = options.log ?? (() => undefined);
    for (const script of ['dns', 'http', 'probe', 'launcher'] as const) serverScript(script);
    const relayCount = relayLocations(options.relays ?? DEFAULT_RELAY_COUNT).length;
    await cleanupStaleLabs(log);
    const state = createLabDir(relayCount);
    let lab: Lab | undefined;
    const keys: LabKeys = { client: generateKeyPair(), relays: {} };
    try {
      const plan = planLab(state.name, state.relayCount);
      for (const relay of plan.relays) keys.relays[relay.location.name] = generateKeyPair();
      lab = new Lab(plan, keys, log, options.cgroupLayout);
      registerLive(lab);
      await lab.build();
      if (options.helper)
        await lab.startRecordedHelper(options.helper === true ? HELPER_MAIN : options.helper.path);
      if (options.detached) {
        lab.updateState((s) => ({ ...s, detached: true }));
        unregisterLive(lab);
      }
      log(`netlab: lab ${lab.name} is up`);
      return lab;
    } catch (error) {
      if (lab) await lab.down();
      else await destroyLab(state.name);
      throw error;
    }
  }

  /** A handle on an existing lab (for the CLI's down/shell/status); it does not own the lab. */
  static attach(name: string, log: (line: string) => void = () => undefined): Lab {
    const state = readState(name);
    if (state === undefined) throw new Error(`no lab ${name} (no ${labDir(name)}/state.json)`);
    const keys = JSON.parse(readFileSync(join(labDir(name), 'keys.json'), 'utf8')) as LabKeys;
    return new Lab(planLab(name, state.relayCount), keys, log);
  }

  get state(): LabState | undefined {
    return readState(this.name);
  }

  /** Tear the lab down: processes, namespaces (and everything in them), sockets, files. Idempotent. */
  down(): Promise<void> {
    this.downPromise ??= destroyLab(this.name).then(
      () => unregisterLive(this),
      (error: unknown) => {
        this.downPromise = undefined; // let a later down() try again; the exit handler still will
        throw error;
      },
    );
    return this.downPromise;
  }

  /** Synchronous teardown for process 'exit' handlers. */
  downSync(): void {
    destroyLabSync(this.name);
    unregisterLive(this);
  }

  private updateState(change: (state: LabState) => LabState): void {
    const state = readState(this.name);
    if (state === undefined) throw new Error(`lab ${this.name} has no state`);
    writeState(change(state));
  }

  private async build(): Promise<void> {
    const { plan } = this;
    mkdirSync(join(this.dir, 'logs'), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.dir, 'dns'), { recursive: true, mode: 0o700 });
    mkdirSync(join(this.dir, 'etc'), { recursive: true, mode: 0o700 });
    mkdirSync(this.confDir, { recursive: true, mode: 0o700 });
    writeFileSync(join(this.dir, 'keys.json'), JSON.stringify(this.keys, null, 2) + '\n', { mode: 0o600 });

    this.log(`netlab: creating namespaces for ${plan.name}`);
    for (const ns of allNamespaces(plan)) await run(['ip', 'netns', 'add', ns]);
    await Promise.all([
      this.sysctl('isp', namespaceSysctls('isp')),
      this.sysctl('client', namespaceSysctls('client')),
      this.sysctl('web', namespaceSysctls('web')),
      ...plan.relays.map((r) => this.sysctl(r.location.name, namespaceSysctls('relay'))),
    ]);
    await this.ipBatch('isp', ispBatch(plan));
    await Promise.all([
      this.ipBatch('client', clientBatch(plan)),
      this.ipBatch('web', hostBatch(plan.web.link)),
      ...plan.relays.map((r) => this.ipBatch(r.location.name, hostBatch(r.link))),
    ]);
    await Promise.all([
      this.nft('isp', ispRuleset()),
      ...plan.relays.map((r) => this.nft(r.location.name, relayRuleset(plan, r))),
    ]);

    this.writeClientFiles();
    this.log('netlab: starting resolvers, web and relays');
    await Promise.all([
      this.startDns('isp', [plan.ispResolver.v4, plan.ispResolver.v6]),
      this.startWeb(),
      ...plan.relays.map((r) => this.startRelay(r)),
    ]);
  }

  private writeClientFiles(): void {
    const { plan } = this;
    writeFileSync(this.resolvConfPath, clientResolvConf(plan), { mode: 0o644 });
    const relayKeys = new Map(Object.entries(this.keys.relays));
    for (const relay of plan.relays) {
      const key = relayKeys.get(relay.location.name);
      if (key === undefined) throw new Error(`no key for relay ${relay.location.name}`);
      writeFileSync(
        join(this.confDir, relayConfFileName(relay)),
        relayWgQuickConf(plan, relay, this.keys.client, key),
        {
          mode: 0o600,
        },
      );
    }
    writeFileSync(this.relayListPath, JSON.stringify(relayListJson(plan, relayKeys), null, 2) + '\n', {
      mode: 0o644,
    });
  }

  // -------------------------------------------------------------------------------------------------
  // Running things in the lab

  /** The namespace of a lab node. */
  namespaceOf(node: LabNode): string {
    if (node === 'isp') return this.plan.namespaces.isp;
    if (node === 'client') return this.plan.namespaces.client;
    if (node === 'web') return this.plan.namespaces.web;
    return findRelay(this.plan, node).namespace;
  }

  /** Run a program to completion inside a lab namespace (network namespace only). */
  exec(node: LabNode, argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return run(inNetns(this.namespaceOf(node), argv), options);
  }

  /** Start a long-running program inside a lab namespace; teardown ends it with everything else. */
  spawn(
    node: LabNode,
    argv: readonly string[],
    options: {
      stdio?: StdioOptions;
      env?: Readonly<Record<string, string | undefined>>;
      detached?: boolean;
    } = {},
  ): ChildProcess {
    return start(inNetns(this.namespaceOf(node), argv), options);
  }

  /**
   * The argv that runs `argv` as the client sees the world (see spawnInClient), for a caller that spawns
   * it itself (the e2e shell's app launcher); arguments appended to it reach the program.
   */
  clientCommand(argv: readonly string[]): string[] {
    return this.clientArgv(argv);
  }

  private clientArgv(argv: readonly string[]): string[] {
    return inNetns(this.plan.namespaces.client, [
      'unshare',
      '--mount',
      '--propagation',
      'private',
      '--',
      process.execPath,
      serverScript('launcher'),
      '--resolv-conf',
      this.resolvConfPath,
      '--host-mnt',
      readlinkSync('/proc/self/ns/mnt'),
      '--host-net',
      readlinkSync('/proc/self/ns/net'),
      '--cgroup-layout',
      this.cgroupLayout,
      '--',
      ...argv,
    ]);
  }

  /**
   * Start a program as the client sees the world: the client's network namespace, and a private mount
   * namespace whose /etc/resolv.conf is the lab's (the host's file is untouched); /sys/fs/cgroup stays
   * visible. Signals sent to the returned process reach the program.
   */
  spawnInClient(argv: readonly string[], options: ClientSpawnOptions = {}): ChildProcess {
    return start(this.clientArgv(argv), options);
  }

  /** Run a program to completion in the client's environment (see spawnInClient). */
  runInClient(argv: readonly string[], options: RunOptions = {}): Promise<RunResult> {
    return run(this.clientArgv(argv), options);
  }

  // -------------------------------------------------------------------------------------------------
  // Probes

  /** Where the client is now: its uplink addresses. */
  get clientAddress(): DualAddress {
    const uplink = this.plan.uplinks[(this.state?.activeUplink ?? 1) - 1] ?? this.plan.uplinks[0];
    return { ...uplink.peer };
  }

  /** web's addresses and URLs. */
  get web(): { address: DualAddress; url4: string; url6: string; httpPort: number; iperfPort: number } {
    const { peer } = this.plan.web.link;
    return {
      address: { ...peer },
      url4: `http://${peer.v4}:${this.plan.web.httpPort}`,
      url6: `http://[${peer.v6}]:${this.plan.web.httpPort}`,
      httpPort: this.plan.web.httpPort,
      iperfPort: this.plan.web.iperfPort,
    };
  }

  /** The address web sees for an HTTP request from the client (IPv4 or IPv6). Throws when it fails. */
  async whatIsMyIp(family: 4 | 6 = 4, options: WhatIsMyIpOptions = {}): Promise<string> {
    const timeoutMs = options.timeoutMs ?? 5_000;
    const web = this.web;
    const url = options.useDns
      ? `http://web.lab:${web.httpPort}/ip`
      : `${family === 4 ? web.url4 : web.url6}/ip`;
    const result = await this.runInClient(
      [
        process.execPath,
        serverScript('probe'),
        'http-get',
        url,
        '--family',
        String(family),
        '--timeout',
        String(timeoutMs),
      ],
      { timeoutMs: timeoutMs + 5_000 },
    );
    const body = JSON.parse(result.stdout) as { ip?: unknown };
    if (typeof body.ip !== 'string') throw new Error(`web answered ${result.stdout.trim()}`);
    return body.ip;
  }

  /** Download `bytes` from web's /bytes/<n> in the client; returns what arrived and how long it took. */
  async download(
    bytes: number,
    family: 4 | 6 = 4,
    timeoutMs = 60_000,
  ): Promise<{ bytes: number; ms: number }> {
    const web = this.web;
    const url = `${family === 4 ? web.url4 : web.url6}/bytes/${Math.floor(bytes)}`;
    const result = await this.runInClient(
      [process.execPath, serverScript('probe'), 'http-get', url, '--discard', '--timeout', String(timeoutMs)],
      { timeoutMs: timeoutMs + 5_000 },
    );
    const body = JSON.parse(result.stdout) as { bytes: number; ms: number };
    return { bytes: body.bytes, ms: body.ms };
  }

  /** Resolve a name in the client (its resolv.conf, or `server`); returns the addresses. */
  async resolveInClient(name: string, options: { family?: 4 | 6; server?: string; timeoutMs?: number } = {}) {
    const argv = [process.execPath, serverScript('probe'), 'resolve', name];
    if (options.family !== undefined) argv.push('--family', String(options.family));
    if (options.server !== undefined) argv.push('--server', options.server);
    argv.push('--timeout', String(options.timeoutMs ?? 3_000));
    const result = await this.runInClient(argv, { timeoutMs: (options.timeoutMs ?? 3_000) + 10_000 });
    return JSON.parse(result.stdout) as string[];
  }

  /** Send one UDP datagram from the client (e.g. a deliberate leak). */
  async sendUdpFromClient(address: string, port: number, payload = 'sluice-netlab-probe'): Promise<void> {
    await this.runInClient([
      process.execPath,
      serverScript('probe'),
      'udp-send',
      address,
      String(port),
      '--payload',
      payload,
    ]);
  }

  /** Every query the lab's resolvers have answered, oldest first, with the asker. */
  dnsQueriesSeen(): DnsLogRecord[] {
    const dir = join(this.dir, 'dns');
    const records: DnsLogRecord[] = [];
    for (const file of existsSync(dir) ? readdirSync(dir) : []) {
      if (!file.endsWith('.jsonl')) continue;
      for (const line of readFileSync(join(dir, file), 'utf8').split('\n')) {
        if (line.trim() !== '') records.push(JSON.parse(line) as DnsLogRecord);
      }
    }
    return records.sort((a, b) => a.time.localeCompare(b.time));
  }

  /** Forget the queries seen so far. */
  clearDnsQueries(): void {
    const dir = join(this.dir, 'dns');
    for (const file of existsSync(dir) ? readdirSync(dir) : []) {
      if (file.endsWith('.jsonl')) writeFileSync(join(dir, file), '');
    }
  }

  /** Start counting what the client sends (on the isp's side of both client uplinks). */
  async startLeakCapture(): Promise<LeakCapture> {
    const interfaces = await Promise.all(
      this.plan.uplinks.map(async (uplink) => {
        const out = await this.exec('isp', ['ip', '-j', 'link', 'show', 'dev', uplink.ispInterface]);
        const [link] = JSON.parse(out.stdout) as { address?: string }[];
        if (link?.address === undefined) throw new Error(`no MAC address on ${uplink.ispInterface}`);
        return { iface: uplink.ispInterface, ispMac: link.address };
      }),
    );
    const endpoints = this.plan.relays.flatMap((relay) =>
      [relay.link.peer.v4, relay.link.peer.v6].map((address) => ({
        address,
        firstPort: relay.portRange.first,
        lastPort: relay.portRange.last,
      })),
    );
    return LeakCapture.start(this.plan.namespaces.isp, interfaces, endpoints);
  }

  // -------------------------------------------------------------------------------------------------
  // Faults

  /** The relay dies: wireguard-go and its resolver are killed (SIGKILL); the namespace stays. */
  async killRelay(name: string): Promise<void> {
    const relay = findRelay(this.plan, name);
    await killProcessesIn([relay.namespace], 0);
    rmSync(join(WIREGUARD_RUN_DIR, `${relay.wgInterface}.sock`), { force: true });
  }

  /** Start a killed relay again (same keys, same addresses). */
  async reviveRelay(name: string): Promise<void> {
    const relay = findRelay(this.plan, name);
    await killProcessesIn([relay.namespace], 0);
    rmSync(join(WIREGUARD_RUN_DIR, `${relay.wgInterface}.sock`), { force: true });
    await this.startRelay(relay);
  }

  /** Packets to and from the relay vanish at the isp (no ICMP, no reset). */
  async blackholeRelay(name: string): Promise<void> {
    this.blackholed.add(findRelay(this.plan, name).location.name);
    await this.applyBlackholes();
  }

  async unblackholeRelay(name: string): Promise<void> {
    this.blackholed.delete(findRelay(this.plan, name).location.name);
    await this.applyBlackholes();
  }

  private async applyBlackholes(): Promise<void> {
    const relays = this.plan.relays.filter((r) => this.blackholed.has(r.location.name));
    await this.nft('isp', blackholeCommands(relays));
  }

  /** Drop packets larger than `mtu` bytes between the client and the relays (a path-MTU black hole). */
  async setPathMtu(mtu: number | null): Promise<void> {
    await this.nft('isp', pathMtuCommands(this.plan, mtu));
  }

  /**
   * A network change: the client's addresses and default routes move to its other uplink and the old one
   * goes down. Returns the client's new addresses.
   */
  async changeClientUplink(): Promise<DualAddress> {
    const active = this.state?.activeUplink ?? 1;
    const next: 1 | 2 = active === 1 ? 2 : 1;
    const [from, to] = [this.plan.uplinks[active - 1], this.plan.uplinks[next - 1]];
    if (from === undefined || to === undefined) throw new Error('no such uplink');
    await this.ipBatch('client', switchUplinkBatch(from, to));
    this.updateState((s) => ({ ...s, activeUplink: next }));
    return { ...to.peer };
  }

  // -------------------------------------------------------------------------------------------------
  // The helper under test

  /** sluiced's socket, when the lab started it. */
  get helper(): LabState['helper'] {
    return this.state?.helper;
  }

  /** Start sluiced in the client (socket, state and log in the lab directory); see helper.ts. */
  startHelper(options: Omit<HelperOptions, 'main'> & { main?: string } = {}): Promise<LabHelper> {
    // The leak self-test asks the lab's own what-is-my-IP (public ones are out of reach here), so
    // `sluice doctor` in the lab is green exactly when nothing leaks.
    // Its split-tunnel cgroup is named for this lab and helper: two labs never share one.
    const env = {
      SLUICE_WHAT_IS_MY_IP_URL: `${this.web.url4}/ip`,
      SLUICE_SPLIT_TUNNEL_CGROUP: `${labCgroupPrefix(this.name)}${options.id ?? 'sl'}`,
      ...options.env,
    };
    return startLabHelper(this, { main: HELPER_MAIN, ...options, env });
  }

  /** The helper `up({ helper })` starts, recorded so `netlab shell` finds it. */
  private async startRecordedHelper(path: string): Promise<void> {
    if (!existsSync(path)) throw new Error(`the helper ${path} does not exist (build apps/daemon first)`);
    const started = await this.startHelper({ id: 'sluiced', main: path, detached: true });

    const helper = { socket: started.socket, stateDir: started.stateDir, interface: started.interfaceName };
    this.updateState((s) => ({ ...s, helper }));
  }

  // -------------------------------------------------------------------------------------------------
  // Building blocks

  private async sysctl(node: LabNode, settings: readonly string[]): Promise<void> {
    await this.exec(node, ['sysctl', '-q', '-w', ...settings]);
  }

  private async ipBatch(node: LabNode, batch: string): Promise<void> {
    await run(['ip', '-n', this.namespaceOf(node), '-batch', '-'], { input: batch });
  }

  private async nft(node: LabNode, ruleset: string): Promise<void> {
    await this.exec(node, ['nft', '-f', '-'], { input: ruleset });
  }

  /**
   * Start a long-running service inside a namespace, detached (its own process group, output to a log
   * file in the lab directory), and wait until `ready` says so.
   */
  private async startService(
    node: LabNode,
    id: string,
    argv: readonly string[],
    ready: (log: string) => boolean,
  ): Promise<ChildProcess> {
    const logPath = join(this.dir, 'logs', `${id}.log`);
    const fd = openSync(logPath, 'w', 0o600);
    let child: ChildProcess;
    try {
      child = this.spawn(node, argv, { stdio: ['ignore', fd, fd], detached: true });
    } finally {
      closeSync(fd);
    }
    child.unref();
    let exited: string | undefined;
    child.once('exit', (code, signal) => (exited = signal ?? String(code)));
    await waitFor(
      () => {
        const text = readFileSync(logPath, 'utf8');
        if (exited !== undefined) throw new Error(`${id} exited (${exited}): ${text.trim().slice(-500)}`);
        return ready(text);
      },
      { what: `${id} in ${this.namespaceOf(node)}`, timeoutMs: 15_000 },
    );
    return child;
  }

  private async startDns(resolverName: string, listen: string[]): Promise<void> {
    const node = resolverName === 'isp' ? 'isp' : resolverName;
    const config: DnsServerConfig = {
      resolver: resolverName,
      listen,
      port: 53,
      zone: labZone(this.plan),
      log: join(this.dir, 'dns', `${resolverName}.jsonl`),
    };
    const configPath = join(this.dir, 'etc', `dns-${resolverName}.json`);
    writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    writeFileSync(config.log, '', { flag: 'a', mode: 0o600 });
    await this.startService(
      node,
      `dns-${resolverName}`,
      [process.execPath, serverScript('dns'), configPath],
      (log) => log.includes('READY'),
    );
  }

  private async startWeb(): Promise<void> {
    const { peer } = this.plan.web.link;
    const port = this.plan.web.httpPort;
    const config: HttpServerConfig = {
      listen: [
        { host: peer.v4, port },
        { host: peer.v6, port },
      ],
      maxBytes: 4 * 1024 * 1024 * 1024,
    };
    const configPath = join(this.dir, 'etc', 'http-web.json');
    writeFileSync(configPath, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 });
    await Promise.all([
      this.startService('web', 'http-web', [process.execPath, serverScript('http'), configPath], (log) =>
        log.includes('READY'),
      ),
      this.startService(
        'web',
        'iperf3-web',
        ['iperf3', '--server', '--forceflush', '--port', String(this.plan.web.iperfPort)],
        (log) => log.includes('Server listening'),
      ),
    ]);
  }

  private async startRelay(relay: RelayPlan): Promise<void> {
    const { plan } = this;
    const node = relay.location.name;
    const socket = join(WIREGUARD_RUN_DIR, `${relay.wgInterface}.sock`);
    await this.startService(
      node,
      `wireguard-go-${node}`,
      ['wireguard-go', '--foreground', relay.wgInterface],
      () => existsSync(socket),
    );
    const key = this.keys.relays[node];
    if (key === undefined) throw new Error(`no key for relay ${node}`);
    const keyPath = join(this.dir, 'etc', `${node}.key`);
    writeFileSync(keyPath, key.privateKey + '\n', { mode: 0o600 });
    await this.exec(node, [
      'wg',
      'set',
      relay.wgInterface,
      'private-key',
      keyPath,
      'listen-port',
      String(relay.port),
      'peer',
      this.keys.client.publicKey,
      'allowed-ips',
      `${plan.tunnel.client.v4}/32,${plan.tunnel.client.v6}/128`,
    ]);
    await this.ipBatch(node, relayTunnelBatch(plan, relay));
    await this.startDns(node, [plan.tunnel.gateway.v4, plan.tunnel.gateway.v6]);
  }
}
