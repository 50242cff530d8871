import type { Command } from 'commander';
import type { pb } from '@sluice/api';
import { splitTunnelWords, statusJson, statusText } from '../format.js';
import { UsageError, type CliContext } from '../context.js';

type WaitFor = (state: pb.TunnelState) => 'done' | 'failed' | 'continue';

/** Follow the event stream until `decide` says done/failed or the user interrupts. */
export async function followTunnelState(
  ctx: CliContext,
  onState: (state: pb.TunnelState) => void,
  decide?: WaitFor,
): Promise<'done' | 'failed' | 'interrupted'> {
  const client = await ctx.client();
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      subscription.cancel();
      fn();
    };
    const handle = (state: pb.TunnelState | undefined): void => {
      if (!state) return;
      onState(state);
      const verdict = decide?.(state) ?? 'continue';
      if (verdict !== 'continue') finish(() => resolve(verdict));
    };
    const subscription = client.listenEvents(
      (event) => {
        if (event.event?.$case === 'snapshot') handle(event.event.value.tunnelState);
        else if (event.event?.$case === 'tunnelState') handle(event.event.value);
      },
      (error) => finish(() => (error ? reject(error) : resolve('interrupted'))),
    );
    void ctx.interrupted().then(() => finish(() => resolve('interrupted')));
  });
}

export function registerStatus(program: Command, ctx: CliContext): void {
  program
    .command('status')
    .description('show the tunnel state; "status listen" follows it until Ctrl-C')
    .argument('[listen]', 'keep printing every state change')
    .option('--json', 'print JSON (one object per line with listen)')
    .action(async (listen: string | undefined, opts: { json?: boolean }) => {
      if (listen !== undefined && listen !== 'listen')
        throw new UsageError(`status: unknown argument "${listen}"; did you mean "status listen"?`);
      const print = (state: pb.TunnelState): void =>
        ctx.out(opts.json ? JSON.stringify(statusJson(state)) : statusText(state));
      if (listen === undefined) {
        if (opts.json) {
          const { state } = await (await ctx.client()).tunnel.getTunnelState({});
          ctx.out(JSON.stringify(statusJson(state), null, 2));
          return;
        }
        // Both at once over the one connection: split tunnelling is part of what goes where.
        const { tunnel, splitTunnel } = await ctx.client();
        const [{ state }, split] = await Promise.all([
          tunnel.getTunnelState({}),
          splitTunnel.getSplitTunnelState({}),
        ]);
        const words = splitTunnelWords(split.state);
        ctx.out(words ? `${statusText(state)}\n  ${words}` : statusText(state));
        return;
      }
      await followTunnelState(ctx, print);
    });
}
