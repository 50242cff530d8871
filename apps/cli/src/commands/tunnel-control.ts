import type { Command } from 'commander';
import { statusText } from '../format.js';
import type { CliContext } from '../context.js';
import { followTunnelState } from './status.js';

const WAIT_HELP = 'wait until the tunnel is connected (or the attempt fails) before returning';

export function registerTunnelControl(program: Command, ctx: CliContext): void {
  /** With `mustLeave`, the current state only counts after the tunnel has left it (reconnect). */
  const waitUntil = async (target: 'connected' | 'disconnected', mustLeave = false): Promise<void> => {
    let left = !mustLeave;
    const verdict = await followTunnelState(
      ctx,
      () => undefined,
      (state) => {
        const now = state.state?.$case ?? 'disconnected';
        if (now !== target) left = true;
        if (now === target && left) return 'done';
        if (now === 'error') return 'failed';
        return 'continue';
      },
    );
    const { state } = await (await ctx.client()).tunnel.getTunnelState({});
    ctx.out(statusText(state));
    if (verdict === 'failed') process.exitCode = 1;
  };

  program
    .command('connect')
    .description('connect to a relay matching the location constraint')
    .option('--wait', WAIT_HELP)
    .action(async (opts: { wait?: boolean }) => {
      await (await ctx.client()).tunnel.connect({});
      if (opts.wait) await waitUntil('connected');
    });
  program
    .command('disconnect')
    .description('disconnect the tunnel')
    .option('--wait', 'wait until the tunnel is down before returning')
    .action(async (opts: { wait?: boolean }) => {
      await (await ctx.client()).tunnel.disconnect({});
      if (opts.wait) await waitUntil('disconnected');
    });
  program
    .command('reconnect')
    .description('reconnect, picking a relay anew')
    .option('--wait', WAIT_HELP)
    .action(async (opts: { wait?: boolean }) => {
      await (await ctx.client()).tunnel.reconnect({});
      if (opts.wait) await waitUntil('connected', true);
    });
}
