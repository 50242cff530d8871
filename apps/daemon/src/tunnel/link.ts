// The WireGuard interface as a network link: its name rules, and removing one left by a crashed run.
// Addresses, MTU and up/down belong to the routing code.
import { ValidationError } from '@sluice/api/domain';
import type { Runner } from '../net/exec.js';

/**
 * Linux allows up to 15 bytes (IFNAMSIZ - 1) without "/" or whitespace. Sluice is stricter: letters,
 * digits and _=+.- only, and no leading "-", because wireguard-go takes its argument as the name
 * (`wireguard-go --help` creates an interface called "--help").
 */
export function validateInterfaceName(name: string): string {
  if (!/^[A-Za-z0-9_=+.][A-Za-z0-9_=+.-]{0,14}$/.test(name) || name === '.' || name === '..') {
    throw new ValidationError(
      'interface',
      `"${name}" is not a usable interface name; use 1 to 15 letters, digits or _=+.- not starting with "-"`,
    );
  }
  return name;
}

export async function linkExists(runner: Runner, name: string): Promise<boolean> {
  // Exit code 1 is `Device "x" does not exist.`
  const result = await runner.run(['ip', 'link', 'show', 'dev', name], { okCodes: [1] });
  return result.code === 0;
}

/** Delete the link if it exists; true when there was one. */
export async function removeLinkIfPresent(runner: Runner, name: string): Promise<boolean> {
  if (!(await linkExists(runner, name))) return false;
  await runner.run(['ip', 'link', 'delete', 'dev', name]);
  return true;
}
