// relay list|get|set location|update, import, account get.
import { basename } from 'node:path';
import type { Command } from 'commander';
// The messages alone: the `pb` of @sluice/api's index also carries the gRPC service clients.
import * as pb from '@sluice/api/wire';
import { relayConstraintsToPb } from '@sluice/api/domain';
import { relayConstraintsText, relayListText, settingsSlices } from '../format.js';
import { printJsonOr, type CliContext } from '../context.js';

export function registerRelays(program: Command, ctx: CliContext): void {
  const relays = async () => (await ctx.client()).relays;
  const relay = program.command('relay').description('relays and where to connect');
  relay
    .command('list')
    .description('every relay, by country and city')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const { relayList } = await (await relays()).getRelayList({});
      printJsonOr(
        ctx,
        !!opts.json,
        pb.RelayList.toJSON(relayList ?? pb.RelayList.fromPartial({})),
        relayListText(relayList),
      );
    });
  relay
    .command('get')
    .description('the current relay constraints')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const helper = await ctx.client();
      const { settings } = await helper.settings.getSettings({});
      const constraints = settingsSlices(settings ?? pb.Settings.fromPartial({})).relayConstraints;
      printJsonOr(ctx, !!opts.json, constraints, relayConstraintsText(constraints));
    });
  relay
    .command('set')
    .description('change the relay constraints')
    .command('location')
    .description('connect only to this country, city or relay ("any" for anywhere)')
    .argument('<country>', 'country code, e.g. se, or "any"')
    .argument('[city]', 'city code, e.g. got')
    .argument('[hostname]', 'relay hostname, e.g. se-got-wg-001')
    .action(async (country: string, city: string | undefined, hostname: string | undefined) => {
      const helper = await ctx.client();
      const { settings } = await helper.settings.getSettings({});
      const currentConstraints = settingsSlices(settings ?? pb.Settings.fromPartial({})).relayConstraints;
      const location = country.toLowerCase() === 'any' ? {} : { country, city, hostname };
      const reply = await helper.relays.setRelayConstraints({
        constraints: relayConstraintsToPb({ ...currentConstraints, location }),
      });
      const updated = settingsSlices(reply.settings ?? pb.Settings.fromPartial({})).relayConstraints;
      ctx.out(relayConstraintsText(updated));
    });
  relay
    .command('update')
    .description('fetch the relay list again from its source')
    .option('--url <url>', 'fetch from this URL instead')
    .action(async (opts: { url?: string }) => {
      const { relayList } = await (await relays()).updateRelayList({ url: opts.url });
      ctx.out(relayListText(relayList));
    });

  program
    .command('import')
    .description('import relays from wg-quick .conf files or a relay list (Sluice or Mullvad JSON)')
    .argument('<file...>')
    .option('--country <code>', 'country for .conf files whose name does not say')
    .option('--city <code>', 'city for .conf files whose name does not say')
    .option('--replace', 'replace the relay list instead of adding to it')
    .action(async (files: string[], opts: { country?: string; city?: string; replace?: boolean }) => {
      const contents = await Promise.all(
        files.map(async (path) => ({
          name: basename(path),
          content: await ctx.readFile(path),
          format: pb.ImportFile_Format.FORMAT_AUTO,
        })),
      );
      const reply = await (
        await relays()
      ).importRelays({
        files: contents,
        location: { country: opts.country, city: opts.city },
        replace: !!opts.replace,
      });
      ctx.out(
        `Imported ${reply.relaysImported} relay(s)${reply.identityImported ? ' and the identity' : ''}.`,
      );
      for (const warning of reply.warnings) ctx.err(`warning: ${warning}`);
    });

  program
    .command('account')
    .description('this device: public key and tunnel addresses')
    .command('get')
    .option('--json', 'print JSON')
    .action(async (opts: { json?: boolean }) => {
      const helper = await ctx.client();
      const { identity } = await helper.identity.getIdentity({});
      const id = identity ?? pb.Identity.fromPartial({});
      printJsonOr(
        ctx,
        !!opts.json,
        { publicKey: id.publicKey, addresses: id.addresses },
        `Public key: ${id.publicKey}\nAddresses:  ${id.addresses.join(', ') || 'none'}`,
      );
    });
}
