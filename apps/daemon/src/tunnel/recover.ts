// After a helper that died with a tunnel up: remove what it left, by reconciling the system to "nothing
// of ours" (the device by name, rules by priority, routes by table, DNS from its backup) rather than
// replaying a log it never finished. The firewall is not touched: it stays closed until the policy of
// the first state is applied.
import type { Logger } from 'pino';
import type { DnsBackend } from '../net/dns/index.js';
import type { Runner } from '../net/exec.js';
import { staleRoutingCommands } from '../net/routing.js';
import { removeLinkIfPresent } from './link.js';
import { errorText } from './types.js';

export async function removeLeftovers(parts: {
  runner: Runner;
  log: Logger;
  dns: DnsBackend;
  interfaceName: string;
}): Promise<void> {
  const { runner, log, dns, interfaceName } = parts;
  // An orphaned wireguard-go keeps running until its link goes.
  if (await removeLinkIfPresent(runner, interfaceName).catch(() => false))
    log.warn({ interface: interfaceName }, 'removed a tunnel device left by a previous run');
  for (const command of await staleRoutingCommands(runner).catch(() => [])) {
    await runner
      .run(command.argv, command.okCodes ? { okCodes: command.okCodes } : {})
      .catch((error: unknown) => log.warn({ err: errorText(error) }, `could not ${command.intent}`));
  }
  await dns
    .recover()
    .catch((error: unknown) => log.warn({ err: error }, 'could not restore DNS left by a previous run'));
}
