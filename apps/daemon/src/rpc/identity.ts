import type { pb } from '@sluice/api';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export function identityService(ctx: DaemonContext): pb.IdentityServiceServer {
  const { log } = ctx;
  return {
    getIdentity: unary(log, 'GetIdentity', notYet('The device identity')),
    rotateKey: unary(log, 'RotateKey', notYet('Key rotation')),
    setAddresses: unary(log, 'SetAddresses', notYet('Setting tunnel addresses')),
  };
}
