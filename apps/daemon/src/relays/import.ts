// The one entry point for imports: parse every file, check them against each other, and only when all
// are good merge them into (or replace) the relay list. Pure: the caller stores the result.
import {
  ValidationError,
  validateHostname,
  validateLocationCode,
  type LocationConstraint,
  type RelayList,
  type WireguardEndpointData,
} from '@sluice/api/domain';
import { detectFormat, FORMATS_EXPECTED, looksLikeJson, type ImportFormat } from './detect.js';
import { RelayImportError, type ImportProblem } from './import-error.js';
import { parseJsonText } from './json-text.js';
import { mergePresharedKeys, mergeRelays } from './merge.js';
import { parseMullvadRelayList } from './mullvad-json.js';
import type { ImportedIdentity, ImportedRelay, ParsedRelayFile } from './parsed.js';
import { parseSluiceRelayListFile, type PresharedKeys } from './sluice-json.js';
import { parseWgQuickFile, type WgQuickOptions } from './wg-quick.js';

export interface ImportFile {
  /** The file's name: used in messages, and for the location of wg-quick files (se-got-wg-001.conf). */
  name: string;
  content: string;
  /** Default 'auto': chosen from the name and content. */
  format?: ImportFormat;
}

export interface ImportOptions {
  existing: RelayList;
  /** The existing list's pre-shared keys (hostname -> key); default none. */
  existingPresharedKeys?: PresharedKeys;
  /** Replace the existing list instead of merging into it. */
  replace: boolean;
  /** Location for wg-quick files; wins over their names. Needs country and city; hostname optional. */
  location?: LocationConstraint;
  /** Provider name for wg-quick relays; default: the part of the file name before the location. */
  provider?: string;
  /** Clock for the list's updatedAt. */
  now?: Date;
}

export interface ImportResult {
  list: RelayList;
  /** Hostname -> pre-shared key for the whole resulting list; store it with the list, never send it. */
  presharedKeys: PresharedKeys;
  relaysImported: number;
  /** From wg-quick [Interface] sections; all files that have one agree on it. */
  identity?: ImportedIdentity;
  warnings: string[];
}

/**
 * Import relay files all-or-nothing: any problem in any file throws RelayImportError listing every problem
 * found (file, line or JSON path, what was expected) and nothing is returned to store.
 */
export function importRelayFiles(files: readonly ImportFile[], options: ImportOptions): ImportResult {
  if (files.length === 0) {
    throw new ValidationError('files', 'no files given; expected at least one .conf or relay-list JSON file');
  }
  const wgQuickOptions: WgQuickOptions = {};
  const location = checkLocationOverride(options.location);
  if (location) wgQuickOptions.location = location;
  if (options.provider !== undefined) wgQuickOptions.provider = options.provider;

  const problems: ImportProblem[] = [];
  const parsed: { file: ImportFile; result: ParsedRelayFile; format: string }[] = [];
  for (const file of files) {
    try {
      parsed.push({ file, ...parseImportFile(file, wgQuickOptions) });
    } catch (error) {
      if (!(error instanceof RelayImportError)) throw error;
      problems.push(...error.problems);
    }
  }

  const relays = parsed.flatMap((p) => p.result.relays);
  problems.push(...duplicateHostnames(relays));
  const identity = agreedIdentity(
    parsed.flatMap((p) => (p.result.identity ? [p.result.identity] : [])),
    problems,
  );
  if (problems.length > 0) throw new RelayImportError(problems);

  const warnings = parsed.flatMap((p) => p.result.warnings);
  if (location && !parsed.some((p) => p.format === 'wg-quick')) {
    warnings.push('the location given applies to wg-quick files only; relay lists carry their own');
  }
  const wireguard = listWideData(parsed, warnings);
  const list = mergeRelays(options.existing, relays, {
    replace: options.replace,
    ...(wireguard ? { wireguard } : {}),
    source: files.map((f) => f.name).join(', '),
    now: options.now ?? new Date(),
  });
  const presharedKeys = mergePresharedKeys(
    options.existingPresharedKeys ?? {},
    relays,
    list,
    options.replace,
  );
  const result: ImportResult = { list, presharedKeys, relaysImported: relays.length, warnings };
  if (identity) result.identity = identity;
  return result;
}

/** Parse one file by its declared or detected format; throws RelayImportError. */
export function parseImportFile(
  file: ImportFile,
  wgQuickOptions: WgQuickOptions = {},
): { result: ParsedRelayFile; format: string } {
  const parsed = parseByFormat(file, wgQuickOptions);
  if (parsed.result.relays.length === 0) {
    throw new RelayImportError([{ file: file.name, message: 'has no relays; expected at least one' }]);
  }
  return parsed;
}

function parseByFormat(
  file: ImportFile,
  wgQuickOptions: WgQuickOptions,
): { result: ParsedRelayFile; format: string } {
  const format = file.format ?? 'auto';
  if (file.content.trim() === '') {
    throw new RelayImportError([{ file: file.name, message: `is empty; ${FORMATS_EXPECTED}` }]);
  }
  if (format === 'wg-quick')
    return { result: parseWgQuickFile(file.name, file.content, wgQuickOptions), format };

  const autoWgQuick = format === 'auto' && detectFormat(file.name, file.content, undefined) === 'wg-quick';
  if (autoWgQuick) {
    return { result: parseWgQuickFile(file.name, file.content, wgQuickOptions), format: 'wg-quick' };
  }
  if (format === 'auto' && !looksLikeJson(file.content)) {
    throw new RelayImportError([{ file: file.name, message: `cannot tell the format; ${FORMATS_EXPECTED}` }]);
  }
  const document = parseJsonText(file.name, file.content);
  const jsonFormat = format === 'auto' ? detectFormat(file.name, file.content, document) : format;
  if (jsonFormat === 'mullvad-json')
    return { result: parseMullvadRelayList(file.name, document), format: jsonFormat };
  if (jsonFormat === 'sluice-json')
    return { result: parseSluiceRelayListFile(file.name, document), format: jsonFormat };
  throw new RelayImportError([{ file: file.name, message: `cannot tell the format; ${FORMATS_EXPECTED}` }]);
}

function checkLocationOverride(location: LocationConstraint | undefined): WgQuickOptions['location'] {
  if (!location?.country && !location?.city && !location?.hostname) return undefined;
  if (!location.country || !location.city) {
    throw new ValidationError(
      location.country ? 'location.city' : 'location.country',
      'a location for wg-quick files needs both a country and a city, e.g. --country se --city got',
    );
  }
  const checked: NonNullable<WgQuickOptions['location']> = {
    country: validateLocationCode('location.country', location.country),
    city: validateLocationCode('location.city', location.city),
  };
  if (location.hostname) checked.hostname = validateHostname('location.hostname', location.hostname);
  return checked;
}

function duplicateHostnames(relays: readonly ImportedRelay[]): ImportProblem[] {
  const first = new Map<string, ImportedRelay>();
  const problems: ImportProblem[] = [];
  for (const item of relays) {
    const earlier = first.get(item.relay.hostname);
    if (!earlier) {
      first.set(item.relay.hostname, item);
      continue;
    }
    const problem: ImportProblem = {
      file: item.file,
      message: `relay "${item.relay.hostname}" is also imported from ${describePlace(earlier)}; expected each hostname once`,
    };
    if (item.line !== undefined) problem.line = item.line;
    if (item.path !== undefined) problem.path = item.path;
    problems.push(problem);
  }
  return problems;
}

function describePlace(item: ImportedRelay): string {
  if (item.line !== undefined) return `${item.file}, line ${item.line}`;
  if (item.path !== undefined) return `${item.file}, ${item.path}`;
  return item.file;
}

/** Sluice has one identity: every [Interface] of an import must give the same key and addresses. */
function agreedIdentity(
  identities: readonly ImportedIdentity[],
  problems: ImportProblem[],
): ImportedIdentity | undefined {
  const [first, ...others] = identities;
  if (!first) return undefined;
  const sameAddresses = (a: readonly string[], b: readonly string[]): boolean =>
    a.length === b.length && a.every((x) => b.includes(x));
  for (const other of others) {
    if (other.privateKey !== first.privateKey) {
      problems.push({
        file: other.file,
        message:
          `its [Interface] PrivateKey differs from the one in ${first.file}; Sluice has one identity, so ` +
          'import files made for the same key together (or import one file)',
      });
    } else if (!sameAddresses(other.addresses, first.addresses)) {
      problems.push({
        file: other.file,
        message: `its [Interface] Address (${other.addresses.join(', ')}) differs from ${first.file}'s (${first.addresses.join(', ')}); expected the same identity`,
      });
    }
  }
  return first;
}

/** The last relay list's port ranges and gateways win; a conflict between lists is worth a warning. */
function listWideData(
  parsed: readonly { file: ImportFile; result: ParsedRelayFile }[],
  warnings: string[],
): WireguardEndpointData | undefined {
  const withData = parsed.filter((p) => p.result.wireguard !== undefined);
  const last = withData.at(-1);
  if (!last?.result.wireguard) return undefined;
  const chosen = JSON.stringify(last.result.wireguard);
  for (const p of withData) {
    if (JSON.stringify(p.result.wireguard) !== chosen) {
      warnings.push(
        `${p.file.name}: its port ranges or gateways differ from ${last.file.name}'s; the list uses ${last.file.name}'s`,
      );
    }
  }
  return last.result.wireguard;
}
