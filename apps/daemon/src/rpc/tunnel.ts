import type { pb } from '@sluice/api';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export function tunnelService(ctx: DaemonContext): pb.TunnelServiceServer {
  const { engine } = ctx;
  return {
    connect: unary(ctx, 'connect', () => ({ stateChanged: engine.connect() })),
    disconnect: unary(ctx, 'disconnect', () => ({ stateChanged: engine.disconnect() })),
    reconnect: unary(ctx, 'reconnect', () => ({ stateChanged: engine.reconnect() })),
    getTunnelState: unary(ctx, 'getTunnelState', async () => ({ state: await ctx.freshTunnelState() })),
  };
}
