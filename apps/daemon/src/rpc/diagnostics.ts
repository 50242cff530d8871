import { ValidationError } from '@sluice/api/domain';
import type { pb } from '@sluice/api';
import { DAEMON_VERSION } from '../version.js';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export const MAX_LOG_LINES = 5000;

export function diagnosticsService(ctx: DaemonContext): pb.DiagnosticsServiceServer {
  const { log } = ctx;
  return {
    getVersion: unary(log, 'GetVersion', () => ({
      daemonVersion: DAEMON_VERSION,
      platform: `${process.platform}-${process.arch}`,
      // Backends are chosen by the tunnel engine; empty means not chosen yet.
      wireguardBackend: '',
      dnsBackend: ctx.config.dnsBackend === 'auto' ? '' : ctx.config.dnsBackend,
    })),
    runLeakTest: unary(log, 'RunLeakTest', notYet('The leak self-test')),
    getLogs: unary(log, 'GetLogs', (req: pb.GetLogsRequest) => {
      const max = req.maxLines === 0 ? 200 : req.maxLines;
      if (max > MAX_LOG_LINES)
        throw new ValidationError('max_lines', `${max} is too many; ask for at most ${MAX_LOG_LINES}`);
      return { lines: ctx.logFile?.tail(max) ?? [] };
    }),
  };
}
