#!/usr/bin/env node
// netlab: bring the lab up and leave it running, open a shell in its client, show it, take it down.
//   netlab up [--relays N] [--with-helper] [--foreground]
//   netlab down [NAME] | shell [NAME] [-- PROGRAM ARGS...] | status [--json]
// NETLAB_PROG names the command in the printed help (e.g. "npm run lab --").
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { CLI_MAIN, Lab } from './lab.js';
import { MAX_RELAYS } from './plan.js';
import { isAlive } from './procs.js';
import { listLabDirs, readState, type LabState } from './state.js';
import { cleanupStaleLabs, destroyLab, labNamespaces, labsOnMachine, processesIn } from './teardown.js';
import { checkRoot } from './tools.js';

const PROG = process.env.NETLAB_PROG ?? 'netlab';

class UsageError extends Error {}

const USAGE = `usage:
  ${PROG} up [--relays N] [--with-helper] [--foreground]
        bring a lab up (N relays, default 3, at most ${MAX_RELAYS}); it stays up until "down"
        (--foreground: until this command is interrupted); --with-helper also starts sluiced in the client
  ${PROG} down [NAME]        tear the lab down (default: the lab "up" made; stale labs too)
  ${PROG} shell [NAME] [-- PROGRAM ARGS...]
        a shell (or PROGRAM) in the client namespace, with the lab's resolv.conf and sluice on PATH
  ${PROG} status [--json]    the labs on this machine
`;

function say(line: string): void {
  process.stderr.write(line + '\n');
}

/** Labs kept up on purpose (by `up`): the ones down/shell act on without a name. */
function keptLabs(): LabState[] {
  return listLabDirs()
    .map((name) => readState(name))
    .filter((state): state is LabState => state?.detached === true);
}

function pickLab(name: string | undefined): string {
  if (name !== undefined) return name;
  const kept = keptLabs();
  if (kept.length === 1 && kept[0]) return kept[0].name;
  if (kept.length === 0) throw new UsageError(`no lab is up (start one with: ${PROG} up)`);
  throw new UsageError(`several labs are up (${kept.map((s) => s.name).join(', ')}): name one`);
}

function describe(lab: Lab): string {
  const { web } = lab;
  const client = lab.clientAddress;
  const lines = [
    `lab ${lab.name} is up: ${lab.relays.length} relay(s): ${lab.relays.map((r) => r.name).join(', ')}`,
    `  client      ${lab.namespaceOf('client')}  ${client.v4}  ${client.v6}  (DNS: the isp's ${lab.plan.ispResolver.v4})`,
    `  web         ${web.url4}/ip  ${web.url6}/ip  /bytes/<n>  iperf3 -c ${web.address.v4}`,
    `  relays      ${lab.relays.map((r) => `${r.hostname} ${r.address.v4}:${r.port}`).join(', ')}`,
    `  relay list  ${lab.relayListPath}`,
    `  wg-quick    ${lab.confDir}/*.conf`,
    `  files       ${lab.dir}`,
  ];
  const helper = lab.helper;
  if (helper)
    lines.push(`  sluiced     socket ${helper.socket}, state ${helper.stateDir}, logs in ${lab.dir}/logs`);
  lines.push(
    '',
    `  ${PROG} shell     a shell in the client (sluice on PATH${helper ? ', SLUICE_SOCKET set' : ''})`,
    `  ${PROG} status    what is running`,
    `  ${PROG} down      tear it down`,
  );
  return lines.join('\n');
}

async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: {
      relays: { type: 'string', default: '3' },
      'with-helper': { type: 'boolean', default: false },
      foreground: { type: 'boolean', default: false },
    },
  });
  const relays = Number(values.relays);
  if (!Number.isInteger(relays) || relays < 1 || relays > MAX_RELAYS) {
    throw new UsageError(`--relays must be 1..${MAX_RELAYS}`);
  }
  checkRoot();
  await cleanupStaleLabs(say);
  const kept = keptLabs();
  if (!values.foreground && kept.length > 0) {
    say(`a lab is already up: ${kept.map((s) => s.name).join(', ')} (${PROG} down first, or ${PROG} shell)`);
    return 1;
  }
  const lab = await Lab.up({ relays, detached: !values.foreground, helper: values['with-helper'], log: say });
  if (lab.helper && existsSync(CLI_MAIN)) await importRelaysIntoHelper(lab);
  process.stdout.write(describe(lab) + '\n');
  if (!values.foreground) return 0;
  say(`netlab: holding lab ${lab.name} until interrupted (Ctrl-C tears it down)`);
  // The lab's own SIGINT/SIGTERM handlers tear it down and end the process; until then, stay alive.
  setInterval(() => undefined, 1 << 30);
  return new Promise<number>(() => undefined);
}

/** Give the helper the lab's relays and identity, as a user would with `sluice import`. */
async function importRelaysIntoHelper(lab: Lab): Promise<void> {
  const socket = lab.helper?.socket;
  if (!socket) return;
  const confs = lab.relays.map((relay) => relay.confPath);
  const result = await lab.runInClient([
    process.execPath,
    CLI_MAIN,
    '--socket',
    socket,
    'import',
    '--replace',
    ...confs,
  ]);
  say(`netlab: ${result.stdout.trim()}`);
}

async function down(args: string[]): Promise<number> {
  const { positionals } = parseArgs({ args, allowPositionals: true });
  checkRoot();
  const names = positionals.length > 0 ? positionals : keptLabs().map((s) => s.name);
  for (const name of names) {
    say(`netlab: tearing down ${name}`);
    await destroyLab(name);
  }
  const stale = await cleanupStaleLabs(say);
  if (names.length === 0 && stale.length === 0) say('netlab: no lab to tear down');
  return 0;
}

function sluiceWrapper(lab: Lab): string | undefined {
  if (!existsSync(CLI_MAIN)) return undefined;
  const bin = join(lab.dir, 'bin');
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  // A CommonJS file (no extension, no package.json) that requires the CLI's CommonJS bundle: import()
  // would start Node's ES module loader first, some 7 ms on every call.
  writeFileSync(join(bin, 'sluice'), `#!${process.execPath}\nrequire(${JSON.stringify(CLI_MAIN)});\n`, {
    mode: 0o755,
  });
  return bin;
}

async function shell(args: string[]): Promise<number> {
  const separator = args.indexOf('--');
  const own = separator < 0 ? args : args.slice(0, separator);
  const command = separator < 0 ? [] : args.slice(separator + 1);
  const { positionals } = parseArgs({ args: own, allowPositionals: true });
  checkRoot();
  const lab = Lab.attach(pickLab(positionals[0]));
  const bin = sluiceWrapper(lab);
  const env: Record<string, string | undefined> = {
    PATH: bin === undefined ? process.env.PATH : `${bin}:${process.env.PATH ?? ''}`,
    SLUICE_SOCKET: lab.helper?.socket,
    NETLAB: lab.name,
  };
  const argv = command.length > 0 ? command : ['bash', '--noprofile', '--norc', '-i'];
  if (command.length === 0) {
    env.PS1 = `[netlab ${lab.name} client] \\w\\$ `;
    say(`netlab: shell in ${lab.namespaceOf('client')} (exit to leave)`);
  }
  const child = lab.spawnInClient(argv, { stdio: 'inherit', env, keepLocale: true });
  // The terminal's Ctrl-C is for the program in the shell, not for us.
  const ignore = (): void => undefined;
  process.on('SIGINT', ignore);
  process.on('SIGQUIT', ignore);
  return new Promise<number>((resolve) => {
    child.on('exit', (code, signal) => resolve(code ?? (signal === null ? 1 : 128)));
  });
}

function status(args: string[]): number {
  const { values } = parseArgs({ args, options: { json: { type: 'boolean', default: false } } });
  const labs = labsOnMachine().map((name) => {
    const state = readState(name);
    const namespaces = labNamespaces(name);
    return {
      name,
      state:
        state === undefined
          ? 'orphan'
          : state.detached
            ? 'kept'
            : isAlive(state.owner.pid, state.owner.startTime)
              ? 'owned'
              : 'stale',
      owner: state?.owner.pid,
      relays: state?.relayCount,
      createdAt: state?.createdAt,
      namespaces,
      processes: processesIn(namespaces).length,
      helper: state?.helper?.socket,
    };
  });
  if (values.json) {
    process.stdout.write(JSON.stringify(labs, null, 2) + '\n');
    return 0;
  }
  if (labs.length === 0) process.stdout.write('no labs\n');
  for (const lab of labs) {
    process.stdout.write(
      `${lab.name}  ${lab.state}${lab.owner === undefined ? '' : ` (pid ${lab.owner})`}  relays ${String(lab.relays ?? '?')}  ` +
        `namespaces ${lab.namespaces.length}  processes ${lab.processes}` +
        `${lab.helper === undefined ? '' : `  helper ${lab.helper}`}\n`,
    );
  }
  return 0;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  switch (command) {
    case 'up':
      return up(rest);
    case 'down':
      return down(rest);
    case 'shell':
      return shell(rest);
    case 'status':
      return status(rest);
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      process.stdout.write(USAGE);
      return command === undefined ? 2 : 0;
    default:
      throw new UsageError(`unknown command ${command}`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError || (error instanceof TypeError && 'code' in error)) {
      process.stderr.write(`${PROG}: ${error.message}\n${USAGE}`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`${PROG}: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = 1;
  },
);
