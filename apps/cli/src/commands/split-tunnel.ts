// split-tunnel get|set|list|add|delete|clear|app add|remove (sluice-exclude is its own program).
import type { Command } from 'commander';
import type { pb } from '@sluice/api';
import { splitTunnelFromPb } from '@sluice/api/domain';
import { onOff } from '../format.js';
import { parseChoice, parseWholeNumber, printJsonOr, type CliContext } from '../context.js';

/** The documented `split-tunnel get --json` object: the domain status, with the pids beside it. */
function stateJson(state: pb.SplitTunnelState | undefined) {
  const { enabled, mechanism, detail, processes, apps } = splitTunnelFromPb(state);
  return { enabled, mechanism, detail, pids: processes.map((p) => p.pid), processes, apps };
}

function stateText(state: pb.SplitTunnelState | undefined): string {
  const s = stateJson(state);
  const how =
    s.mechanism === 'unavailable' ? `unavailable here: ${s.detail}` : `by ${s.mechanism} (${s.detail})`;
  return [
    `Split tunnelling: ${onOff(s.enabled)}, ${how}`,
    `Excluded programs: ${s.apps.length > 0 ? '' : 'none'}`,
    ...s.apps.map((a) => `  ${a}`),
    `Excluded processes: ${s.processes.length > 0 ? '' : 'none'}`,
    ...s.processes.map((p) => `  ${String(p.pid).padStart(7)}  ${p.command}`),
  ].join('\n');
}

export function registerSplitTunnel(program: Command, ctx: CliContext): void {
  const split = async () => (await ctx.client()).splitTunnel;
  const command = program
    .command('split-tunnel')
    .description('programs and processes that bypass the tunnel');
  const show = (opts: { json?: boolean }) => async (): Promise<void> => {
    const { state } = await (await split()).getSplitTunnelState({});
    printJsonOr(ctx, !!opts.json, stateJson(state), stateText(state));
  };
  command
    .command('list')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => show(opts)());
  command
    .command('get')
    .option('--json', 'print JSON')
    .action((opts: { json?: boolean }) => show(opts)());
  command
    .command('set')
    .argument('<on|off>')
    .action(async (value: string) => {
      const enabled = parseChoice('split-tunnel set', value, ['on', 'off'] as const) === 'on';
      await (await split()).setSplitTunnelEnabled({ enabled });
      ctx.out(`Split tunnelling: ${onOff(enabled)}`);
    });
  command
    .command('add')
    .argument('<pid>')
    .action(async (pid: string) => {
      const number = parseWholeNumber('split-tunnel add', pid);
      await (await split()).addSplitTunnelProcess({ pid: number });
      ctx.out(
        `Process ${pid} now bypasses the tunnel, and so do the children it starts from now on. ` +
          'Connections it already has stay in the tunnel; new ones go outside.',
      );
    });
  command
    .command('delete')
    .argument('<pid>')
    .action(async (pid: string) => {
      const number = parseWholeNumber('split-tunnel delete', pid);
      await (await split()).removeSplitTunnelProcess({ pid: number });
      ctx.out(
        `Process ${pid} uses the tunnel again for new connections; ones it opened outside stay outside until they close.`,
      );
    });
  command.command('clear').action(async () => {
    await (await split()).clearSplitTunnelProcesses({});
    ctx.out('No process bypasses the tunnel now.');
  });
  const app = command.command('app').description('programs excluded whenever they run');
  app
    .command('add')
    .argument('<path>')
    .action(async (path: string) => {
      await (await split()).addSplitTunnelApp({ path });
      ctx.out(`${path} will bypass the tunnel.`);
    });
  app
    .command('remove')
    .argument('<path>')
    .action(async (path: string) => {
      await (await split()).removeSplitTunnelApp({ path });
      ctx.out(`${path} will use the tunnel.`);
    });
}
