// sluice doctor: the leak self-test.
import type { Command } from 'commander';
import { printJsonOr, type CliContext } from '../context.js';

export function registerDoctor(program: Command, ctx: CliContext): void {
  program
    .command('doctor')
    .description('check for leaks: the live firewall, where DNS goes, and what address the world sees')
    .option('--url <url>', 'a "what is my IP" endpoint answering JSON {"ip": "..."}')
    .option('--json', 'print JSON')
    .action(async (opts: { url?: string; json?: boolean }) => {
      const { diagnostics } = await ctx.client();
      const result = await diagnostics.runLeakTest(opts.url === undefined ? {} : { whatIsMyIpUrl: opts.url });
      const refused = Object.entries(result.firewallRuleHits)
        .filter(([tag, packets]) => tag.startsWith('dns-reject') && packets > 0)
        .reduce((sum, [, packets]) => sum + packets, 0);
      const lines = [
        ...result.checks.map(
          (check) => `${check.passed ? 'ok  ' : 'FAIL'}  ${check.name.padEnd(12)} ${check.detail}`,
        ),
        ...(refused > 0
          ? [`      ${refused} DNS packet(s) to other resolvers were refused since the helper started`]
          : []),
        result.passed ? 'No leaks found.' : 'Leaks are possible: see FAIL above.',
      ];
      printJsonOr(
        ctx,
        !!opts.json,
        {
          passed: result.passed,
          observedAddress: result.observedAddress,
          checks: result.checks,
          firewallRuleHits: result.firewallRuleHits,
        },
        lines.join('\n'),
      );
      if (!result.passed) process.exitCode = 1;
    });
}
