// sluice version: this CLI's and the helper's versions, its backends, and whether this user may change
// the helper (root or group "sluice"), as the helper judges from the connection's credentials.
import type { Command } from 'commander';
import { printJsonOr, type CliContext } from '../context.js';

/** The CLI's own version (the workspace's package.json), inlined by the bundle. */
export const CLI_VERSION = '0.1.0';

export function registerVersion(program: Command, ctx: CliContext): void {
  program
    .command('version')
    .description("this CLI's and the helper's versions, and whether you may change the helper")
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { diagnostics } = await ctx.client();
      const v = await diagnostics.getVersion({});
      const facts = {
        cli: CLI_VERSION,
        helper: v.daemonVersion,
        platform: v.platform,
        wireguardBackend: v.wireguardBackend,
        dnsBackend: v.dnsBackend,
        mayControl: v.callerMayControl,
        ...(v.callerMayControl ? {} : { controlRefusedReason: v.controlRefusedReason }),
      };
      const lines = [
        `CLI:       ${facts.cli}`,
        `Helper:    ${facts.helper} (${facts.platform})`,
        `WireGuard: ${facts.wireguardBackend || 'not yet known'}`,
        `DNS:       ${facts.dnsBackend}`,
        v.callerMayControl ? 'You may change settings.' : `Read only: ${v.controlRefusedReason}.`,
      ];
      printJsonOr(ctx, !!opts.json, facts, lines.join('\n'));
    });
}
