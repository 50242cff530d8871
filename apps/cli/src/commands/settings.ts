// lockdown-mode, lan, auto-connect, dns, tunnel, bypass: get/set pairs over SettingsService.
import { type Command } from 'commander';
// The messages alone: the `pb` of @sluice/api's index also carries the gRPC service clients.
import * as pb from '@sluice/api/wire';
import { dnsText, onOff, settingsSlices, tunnelText } from '../format.js';
import { parseChoice, parseNumberOrAuto, printJsonOr, type CliContext } from '../context.js';

const JSON_HELP = 'print JSON';

export function registerSettings(program: Command, ctx: CliContext): void {
  const settings = async () => (await ctx.client()).settings;
  const current = async () => {
    const reply = await (await settings()).getSettings({});
    return settingsSlices(reply.settings ?? pb.Settings.fromPartial({}));
  };

  const toggle = (
    name: string,
    description: string,
    words: readonly [string, string],
    read: (s: Awaited<ReturnType<typeof current>>) => { value: boolean; json: object },
    write: (on: boolean) => Promise<unknown>,
    text: (on: boolean) => string,
  ): void => {
    const command = program.command(name).description(description);
    command
      .command('get')
      .option('--json', JSON_HELP)
      .action(async (opts: { json?: boolean }) => {
        const { value, json } = read(await current());
        printJsonOr(ctx, !!opts.json, json, text(value));
      });
    command
      .command('set')
      .argument(`<${words.join('|')}>`)
      .action(async (word: string) => {
        const on = parseChoice(`${name} set`, word, words) === words[0];
        await write(on);
        ctx.out(text(on));
      });
  };

  toggle(
    'lockdown-mode',
    'block all traffic outside the tunnel, even when disconnected',
    ['on', 'off'],
    (s) => ({ value: s.lockdownMode.lockdownMode, json: s.lockdownMode }),
    async (enabled) => (await settings()).setLockdownMode({ enabled }),
    (on) => `Lockdown mode: ${onOff(on)}`,
  );
  toggle(
    'lan',
    'allow or block local networks while the tunnel is up',
    ['allow', 'block'],
    (s) => ({ value: s.lan.allowLan, json: s.lan }),
    async (allow) => (await settings()).setAllowLan({ allow }),
    (on) => `Local network sharing: ${on ? 'allow' : 'block'}`,
  );
  toggle(
    'auto-connect',
    'connect when the helper starts',
    ['on', 'off'],
    (s) => ({ value: s.autoConnect.autoConnect, json: s.autoConnect }),
    async (enabled) => (await settings()).setAutoConnect({ enabled }),
    (on) => `Auto-connect: ${onOff(on)}`,
  );

  const dns = program
    .command('dns')
    .description("which DNS servers the tunnel uses: the relay's or your own");
  dns
    .command('get')
    .option('--json', JSON_HELP)
    .action(async (opts: { json?: boolean }) => {
      const s = await current();
      printJsonOr(ctx, !!opts.json, s.dns, dnsText(s.dns));
    });
  const dnsSet = dns.command('set').description('default | custom <ip>...');
  dnsSet.command('default').action(async () => {
    const s = await current();
    const reply = await (
      await settings()
    ).setDnsOptions({
      dns: { mode: pb.DnsOptions_Mode.MODE_DEFAULT, customServers: s.dns.customServers },
    });
    ctx.out(dnsText(settingsSlices(reply.settings ?? pb.Settings.fromPartial({})).dns));
  });
  dnsSet
    .command('custom')
    .argument('<ip...>', 'one or more resolver addresses')
    .action(async (servers: string[]) => {
      const reply = await (
        await settings()
      ).setDnsOptions({
        dns: { mode: pb.DnsOptions_Mode.MODE_CUSTOM, customServers: servers },
      });
      ctx.out(dnsText(settingsSlices(reply.settings ?? pb.Settings.fromPartial({})).dns));
    });

  const tunnel = program.command('tunnel').description('tunnel options: MTU, IPv6, WireGuard port');
  tunnel
    .command('get')
    .option('--json', JSON_HELP)
    .action(async (opts: { json?: boolean }) => {
      const s = await current();
      printJsonOr(ctx, !!opts.json, s.tunnel, tunnelText(s.tunnel));
    });
  const tunnelSet = tunnel.command('set').description('mtu <n|auto> | ipv6 <on|off> | port <n|auto>');
  tunnelSet
    .command('mtu')
    .argument('<n|auto>', 'MTU from 1280 to 1420, or auto')
    .action(async (value: string) => {
      const mtu = parseNumberOrAuto('tunnel set mtu', value);
      await (await settings()).setMtu({ mtu });
      ctx.out(`MTU: ${mtu ?? 'auto'}`);
    });
  tunnelSet
    .command('ipv6')
    .argument('<on|off>')
    .action(async (value: string) => {
      const enabled = parseChoice('tunnel set ipv6', value, ['on', 'off'] as const) === 'on';
      await (await settings()).setEnableIpv6({ enabled });
      ctx.out(`IPv6: ${onOff(enabled)}`);
    });
  tunnelSet
    .command('port')
    .argument('<n|auto>', 'relay port from 1 to 65535, or auto')
    .action(async (value: string) => {
      const port = parseNumberOrAuto('tunnel set port', value);
      await (await settings()).setWireguardPort({ port });
      ctx.out(`WireGuard port: ${port ?? 'auto'}`);
    });

  const bypass = program
    .command('bypass')
    .description('address ranges that always go outside the tunnel (e.g. 100.64.0.0/10)');
  bypass
    .command('list')
    .option('--json', JSON_HELP)
    .action(async (opts: { json?: boolean }) => {
      const s = await current();
      const text = s.bypass.bypassRanges.length > 0 ? s.bypass.bypassRanges.join('\n') : 'No bypass ranges.';
      printJsonOr(ctx, !!opts.json, s.bypass, text);
    });
  bypass
    .command('add')
    .argument('<cidr>')
    .action(async (range: string) => {
      await (await settings()).addBypassRange({ range });
      ctx.out(`Bypassing the tunnel for ${range}`);
    });
  bypass
    .command('remove')
    .argument('<cidr>')
    .action(async (range: string) => {
      await (await settings()).removeBypassRange({ range });
      ctx.out(`No longer bypassing the tunnel for ${range}`);
    });
}
