import { quote, ValidationError } from '@sluice/api/domain';
import type { pb } from '@sluice/api';
import { isHttpUrl } from '../config.js';
import { runLeakTest } from '../net/leak-test.js';
import { DAEMON_VERSION } from '../version.js';
import { CONTROL_GROUP, mayControl, type Caller } from './callers.js';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export const MAX_LOG_LINES = 5000;

/** Why a change from this caller would be refused, in the words a client shows, or undefined. */
export function controlRefusal(
  caller: Caller | undefined,
  controlGid: number | undefined,
): string | undefined {
  if (!caller) return 'the helper could not tell who is calling (no credentials on this connection)';
  if (mayControl(caller, controlGid)) return undefined;
  const group =
    controlGid === undefined
      ? `; there is no group "${CONTROL_GROUP}" on this system yet`
      : `; add your user to group "${CONTROL_GROUP}" and log in again`;
  return `changes need root or membership of group "${CONTROL_GROUP}" (you are uid ${caller.uid}${group})`;
}

export function diagnosticsService(ctx: DaemonContext): pb.DiagnosticsServiceServer {
  return {
    getVersion: unary(ctx, 'getVersion', (_req: pb.GetVersionRequest, caller) => {
      const refused = controlRefusal(caller, ctx.controlGid);
      return {
        daemonVersion: DAEMON_VERSION,
        platform: `${process.platform}-${process.arch}`,
        wireguardBackend: ctx.engine.wireguardBackend ?? '',
        dnsBackend: ctx.dns.name,
        callerMayControl: refused === undefined,
        controlRefusedReason: refused ?? '',
      };
    }),
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
