import type { pb } from '@sluice/api';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export function tunnelService(ctx: DaemonContext): pb.TunnelServiceServer {
  const { log } = ctx;
  return {
    connect: unary(log, 'Connect', notYet('Connecting')),
    disconnect: unary(log, 'Disconnect', notYet('Disconnecting')),
    reconnect: unary(log, 'Reconnect', notYet('Reconnecting')),
    getTunnelState: unary(log, 'GetTunnelState', () => ({ state: ctx.tunnelState() })),
  };
}
