import type { pb } from '@sluice/api';
import type { DaemonContext } from './context.js';
import { unary } from './handler.js';

export function identityService(ctx: DaemonContext): pb.IdentityServiceServer {
  const { identity, engine } = ctx;
  const reply = (): { identity: pb.Identity } => ({ identity: ctx.identityPb() });
  return {
    getIdentity: unary(ctx, 'getIdentity', reply),
    rotateKey: unary(ctx, 'rotateKey', async () => {
      await identity.rotate();
      // A tunnel made with the old key is reconnected with the new one (the provider must know it).
      if (engine.state.kind === 'connected' || engine.state.kind === 'connecting') engine.reconnect();
      return reply();
    }),
    setAddresses: unary(ctx, 'setAddresses', async (req: pb.SetAddressesRequest) => {
      await identity.setAddresses(req.addresses);
      return reply();
    }),
  };
}
