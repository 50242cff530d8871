// Which parser a file needs, from its name and content, when the caller leaves the format to us.
import { isRecord } from './json-text.js';

export const IMPORT_FORMATS = ['auto', 'wg-quick', 'sluice-json', 'mullvad-json'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];
export type ConcreteFormat = Exclude<ImportFormat, 'auto'>;

const SECTION_HEADER = /^\s*\[\s*(interface|peer)\s*\]\s*(#.*)?$/im;

/**
 * wg-quick: a `.conf` name or an [Interface]/[Peer] header. JSON: Mullvad's when it has `locations` or
 * `wireguard.relays`, Sluice's when it has `countries` or `version`. `document` is the parsed JSON, if any.
 */
export function detectFormat(
  fileName: string,
  content: string,
  document: unknown,
): ConcreteFormat | undefined {
  if (/\.conf$/i.test(fileName) || SECTION_HEADER.test(content)) return 'wg-quick';
  if (!isRecord(document)) return undefined;
  const wireguard = document.wireguard;
  if ('locations' in document || (isRecord(wireguard) && 'relays' in wireguard)) return 'mullvad-json';
  if ('countries' in document || 'version' in document) return 'sluice-json';
  return undefined;
}

export const FORMATS_EXPECTED =
  'expected a wg-quick .conf ([Interface] and [Peer] sections), a Sluice relay list (JSON with "countries") ' +
  'or a Mullvad relay list (JSON with "locations" and "wireguard")';

/** Content that starts like JSON; decides whether a syntax error is worth reporting as JSON. */
export function looksLikeJson(content: string): boolean {
  return /^\uFEFF?\s*[{[]/.test(content);
}
