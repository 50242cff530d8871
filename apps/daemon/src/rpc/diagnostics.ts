import { quote, ValidationError } from '@sluice/api/domain';
import type { pb } from '@sluice/api';
import { isHttpUrl } from '../config.js';
import { runLeakTest } from '../net/leak-test.js';
import { DAEMON_VERSION } from '../version.js';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export const MAX_LOG_LINES = 5000;

export function diagnosticsService(ctx: DaemonContext): pb.DiagnosticsServiceServer {
  return {
    getVersion: unary(ctx, 'getVersion', () => ({
      daemonVersion: DAEMON_VERSION,
      platform: `${process.platform}-${process.arch}`,
      wireguardBackend: ctx.engine.wireguardBackend ?? '',
      dnsBackend: ctx.dns.name,
    })),
    runLeakTest: unary(ctx, 'runLeakTest', async (req: pb.RunLeakTestRequest) => {
      const url = req.whatIsMyIpUrl ?? ctx.config.whatIsMyIpUrl;
      if (!isHttpUrl(url)) {
        throw new ValidationError(
          'what_is_my_ip_url',
          `${quote(url)} is not an http(s) URL; it must answer JSON {"ip": "..."}`,
        );
      }
      const result = await runLeakTest({
        firewall: ctx.firewall,
        intendedPolicy: ctx.engine.intendedPolicy(),
        intendedDns: ctx.engine.intendedDnsServers(),
        resolvConfPath: ctx.dns.name === 'static' ? ctx.config.resolvConfPath : undefined,
        relayAddress: ctx.engine.relayAddress(),
        runner: ctx.runner,
        whatIsMyIpUrl: url,
      });
      return {
        passed: result.passed,
        checks: result.checks,
        observedAddress: result.observedAddress,
        firewallRuleHits: Object.fromEntries(result.ruleHits),
      };
    }),
    getLogs: unary(ctx, 'getLogs', (req: pb.GetLogsRequest) => {
      const max = req.maxLines === 0 ? 200 : req.maxLines;
      if (max > MAX_LOG_LINES)
        throw new ValidationError('max_lines', `${max} is too many; ask for at most ${MAX_LOG_LINES}`);
      return { lines: ctx.logFile?.tail(max) ?? [] };
    }),
  };
}
