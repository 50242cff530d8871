import type { pb } from '@sluice/api';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export function tunnelService(ctx: DaemonContext): pb.TunnelServiceServer {
  const { log, engine } = ctx;
  return {
    connect: unary(log, 'Connect', () => ({ stateChanged: engine.connect() })),
    disconnect: unary(log, 'Disconnect', () => ({ stateChanged: engine.disconnect() })),
    reconnect: unary(log, 'Reconnect', () => ({ stateChanged: engine.reconnect() })),
    getTunnelState: unary(log, 'GetTunnelState', async () => ({ state: await ctx.freshTunnelState() })),
  };
}
