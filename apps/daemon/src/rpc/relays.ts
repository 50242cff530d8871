import { pb } from '@sluice/api';
import { ValidationError, locationFromPb, ownershipFromPb, settingsToPb } from '@sluice/api/domain';
import { unknownLocation } from '../relays/location.js';
import * as change from '../settings/changes.js';
import type { DaemonContext } from './context.js';
import { notYet, unary } from './handler.js';

export function relayService(ctx: DaemonContext): pb.RelayServiceServer {
  const { log } = ctx;
  return {
    getRelayList: unary(log, 'GetRelayList', () => ({ relayList: ctx.relayList() })),
    updateRelayList: unary(log, 'UpdateRelayList', notYet('Updating the relay list')),
    importRelays: unary(log, 'ImportRelays', notYet('Importing relays')),
    setRelayConstraints: unary(log, 'SetRelayConstraints', async (req: pb.SetRelayConstraintsRequest) => {
      const ownership = ownershipFromPb(req.constraints?.ownership ?? pb.Ownership.OWNERSHIP_ANY);
      if (ownership === undefined)
        throw new ValidationError(
          'constraints.ownership',
          'give OWNERSHIP_ANY, OWNERSHIP_OWNED or OWNERSHIP_RENTED',
        );
      const settings = await ctx.settings.update((s) => {
        const next = change.setRelayConstraints(s, {
          location: locationFromPb(req.constraints?.location),
          providers: req.constraints?.providers ?? [],
          ownership,
        });
        // An empty list cannot confirm or refute a location; selection checks it again at connect time.
        const list = ctx.relayList();
        const unknown =
          list.countries.length > 0 ? unknownLocation(list, next.relayConstraints.location) : undefined;
        if (unknown) throw new ValidationError('constraints.location', unknown);
        return next;
      });
      return { settings: settingsToPb(settings) };
    }),
  };
}
