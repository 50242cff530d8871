// Names that reach argv: lab names, namespaces, interfaces, relays. Everything is checked here first.
import { randomInt } from 'node:crypto';

/** Every lab is `sl` plus four characters; namespaces and interfaces carry that prefix. */
export const LAB_NAME_RE = /^sl[a-z0-9]{4}$/;
/** A relay location as in wg-quick file names: country and city codes. */
export const RELAY_NAME_RE = /^[a-z]{2}-[a-z]{3}$/;
/** The lab's own namespaces: `<lab>-isp`, `<lab>-client`, `<lab>-web`, `<lab>-<relay>`. */
export const LAB_NAMESPACE_RE = /^(sl[a-z0-9]{4})-(isp|client|web|[a-z]{2}-[a-z]{3})$/;
const NAMESPACE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,62}$/;
const INTERFACE_RE = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,14}$/;

export function isLabName(name: string): boolean {
  return LAB_NAME_RE.test(name);
}

export function assertLabName(name: string): void {
  if (!LAB_NAME_RE.test(name))
    throw new Error(`not a lab name: ${JSON.stringify(name)} (expected sl + 4 of a-z0-9)`);
}

export function assertRelayName(name: string): void {
  if (!RELAY_NAME_RE.test(name))
    throw new Error(`not a relay name: ${JSON.stringify(name)} (expected e.g. se-got)`);
}

export function assertNamespaceName(name: string): void {
  if (!NAMESPACE_RE.test(name) || name.includes('..')) {
    throw new Error(`not a network namespace name: ${JSON.stringify(name)}`);
  }
}

/** Linux interface names: at most 15 bytes, no slash, no whitespace. */
export function assertInterfaceName(name: string): void {
  if (!INTERFACE_RE.test(name)) {
    throw new Error(`not an interface name: ${JSON.stringify(name)} (at most 15 of A-Za-z0-9_.-)`);
  }
}

/** The lab a namespace belongs to, when it follows the lab's naming. */
export function labOfNamespace(namespace: string): string | undefined {
  return LAB_NAMESPACE_RE.exec(namespace)?.[1];
}

const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

export function randomLabName(): string {
  let suffix = '';
  for (let i = 0; i < 4; i++) suffix += ALPHABET.charAt(randomInt(ALPHABET.length));
  return `sl${suffix}`;
}
