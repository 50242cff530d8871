import { pb } from '@sluice/api';
import {
  ValidationError,
  locationFromPb,
  ownershipFromPb,
  quote,
  safeMessage,
  settingsToPb,
  validateName,
} from '@sluice/api/domain';
import type { ImportFormat } from '../relays/detect.js';
import { unknownLocation } from '../relays/location.js';
import { RelayListUpdateError } from '../relays/manager.js';
import * as change from '../settings/changes.js';
import type { DaemonContext } from './context.js';
import { PreconditionError, unary } from './handler.js';
import { measureLatency } from './relay-latency.js';

const FORMATS: Record<number, ImportFormat> = {
  [pb.ImportFile_Format.FORMAT_UNSPECIFIED]: 'auto',
  [pb.ImportFile_Format.FORMAT_AUTO]: 'auto',
  [pb.ImportFile_Format.FORMAT_WG_QUICK]: 'wg-quick',
  [pb.ImportFile_Format.FORMAT_SLUICE_JSON]: 'sluice-json',
  [pb.ImportFile_Format.FORMAT_MULLVAD_JSON]: 'mullvad-json',
};

/** Files per import, their names and sizes (a Mullvad relay list is about 0.6 MB). */
export const MAX_IMPORT_FILES = 64;
export const MAX_FILE_NAME = 255;
export const MAX_IMPORT_FILE_CHARS = 16 * 1024 * 1024;

export function relayService(ctx: DaemonContext): pb.RelayServiceServer {
  const { log } = ctx;
  return {
    getRelayList: unary(ctx, 'getRelayList', () => ({ relayList: ctx.relayList() })),
    updateRelayList: unary(ctx, 'updateRelayList', async (req: pb.UpdateRelayListRequest) => {
      try {
        await ctx.relays.update(req.url);
      } catch (error) {
        if (error instanceof RelayListUpdateError) throw new PreconditionError(error.message);
        throw error;
      }
      return { relayList: ctx.relayList() };
    }),
    importRelays: unary(ctx, 'importRelays', async (req: pb.ImportRelaysRequest) => {
      if (req.files.length > MAX_IMPORT_FILES)
        throw new ValidationError(
          'files',
          `${req.files.length} given; at most ${MAX_IMPORT_FILES} are accepted`,
        );
      const files = req.files.map((file, index) => {
        const name = validateName(`files[${index}].name`, file.name, MAX_FILE_NAME);
        if (file.content.length > MAX_IMPORT_FILE_CHARS)
          throw new ValidationError(
            `files[${index}].content`,
            `${quote(name)} is ${file.content.length} characters; a file to import is at most ${MAX_IMPORT_FILE_CHARS}`,
          );
        const format = FORMATS[file.format];
        if (format === undefined)
          throw new ValidationError(
            `files[${index}].format`,
            'give FORMAT_AUTO, FORMAT_WG_QUICK, FORMAT_SLUICE_JSON or FORMAT_MULLVAD_JSON',
          );
        return { name, content: file.content, format };
      });
      const location = locationFromPb(req.location);
      let identityImported = false;
      const result = await ctx.relays.import(
        files,
        { replace: req.replace, ...(location.country ? { location } : {}) },
        async (imported) => {
          if (!imported.identity) return;
          await ctx.identity.importIdentity({
            privateKey: imported.identity.privateKey,
            addresses: imported.identity.addresses,
          });
          identityImported = true;
        },
      );
      // Never log `result` whole: it holds the imported private key.
      log.info(
        { relays: result.relaysImported, identityImported, warnings: result.warnings.length },
        'relays imported',
      );
      return {
        relayList: ctx.relayList(),
        relaysImported: result.relaysImported,
        identityImported,
        warnings: result.warnings.map((warning) => safeMessage(warning)),
      };
    }),
    setRelayConstraints: unary(ctx, 'setRelayConstraints', async (req: pb.SetRelayConstraintsRequest) => {
      const ownership = ownershipFromPb(req.constraints?.ownership ?? pb.Ownership.OWNERSHIP_ANY);
      if (ownership === undefined) {
        throw new ValidationError(
          'constraints.ownership',
          'give OWNERSHIP_ANY, OWNERSHIP_OWNED or OWNERSHIP_RENTED',
        );
      }
      const settings = await ctx.settings.update((s) => {
        const next = change.setRelayConstraints(s, {
          location: locationFromPb(req.constraints?.location),
          providers: req.constraints?.providers ?? [],
          ownership,
        });
        // An empty list cannot confirm or refute a location; selection checks it again at connect time.
        const { list } = ctx.relays.current();
        const unknown =
          list.countries.length > 0 ? unknownLocation(list, next.relayConstraints.location) : undefined;
        if (unknown) throw new ValidationError('constraints.location', unknown);
        return next;
      });
      return { settings: settingsToPb(settings) };
    }),
    measureLatency: measureLatency(ctx),
  };
}
