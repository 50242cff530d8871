// What every command gets: output, the helper client (made, and gRPC loaded, on first use) and typed
// failures.
import type { HelperClient } from '@sluice/api';

export interface CliContext {
  out: (text: string) => void;
  err: (text: string) => void;
  /** The one client of this run; rejects with HelperSocketMissingError when the socket is not there. */
  client: () => Promise<HelperClient>;
  readFile: (path: string) => Promise<string>;
  /** Resolves when the user asks to stop a long-running command (Ctrl-C). */
  interrupted: () => Promise<void>;
}

/** A command was used wrongly (exit code 2). */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export function parseChoice<T extends string>(what: string, value: string, choices: readonly T[]): T {
  const lower = value.toLowerCase();
  const found = choices.find((c) => c === lower);
  if (!found) throw new UsageError(`${what}: "${value}" is not accepted; use ${choices.join(' or ')}`);
  return found;
}

export function parseWholeNumber(what: string, value: string): number {
  if (!/^\d+$/.test(value)) throw new UsageError(`${what}: "${value}" is not a whole number`);
  return Number(value);
}

/** "auto" or a whole number. */
export function parseNumberOrAuto(what: string, value: string): number | undefined {
  return value.toLowerCase() === 'auto' ? undefined : parseWholeNumber(what, value);
}

export function printJsonOr(ctx: CliContext, json: boolean, value: unknown, text: string): void {
  ctx.out(json ? JSON.stringify(value, null, 2) : text);
}
