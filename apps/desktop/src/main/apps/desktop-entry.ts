// A parser for XDG key files (.desktop entries, index.theme) and the value rules of the Desktop Entry
// Specification: escapes, lists, booleans, localized keys and the Exec command line. Pure functions:
// reading the files is the caller's job.

/** A value, or the reason there is none, phrased for a log line or a "skipped" list. */
export type Result<T> = { ok: true; value: T } | { ok: false; reason: string };

/**
 * One group's keys and their raw (still escaped) values. A localized key is stored with its locale
 * postfix, the .ENCODING part removed: `Name[de_DE]`.
 */
export type KeyFileGroup = ReadonlyMap<string, string>;

/** The groups of a key file by name. */
export type KeyFile = ReadonlyMap<string, KeyFileGroup>;

/** The [Desktop Entry] group of a .desktop file. */
export type DesktopEntry = KeyFileGroup;

export const DESKTOP_ENTRY_GROUP = 'Desktop Entry';

function fail(reason: string): { ok: false; reason: string } {
  return { ok: false, reason };
}

const GROUP_HEADER = /^\[([^[\]]+)\]$/;
// The spec allows A-Za-z0-9- in key names; "_" and "." appear in the wild (X-KDE-…), so they pass too.
const KEY = /^([A-Za-z0-9_.-]+)(?:\[([^[\]\s]+)\])?$/;

/** Drops the .ENCODING part of a locale postfix, which the spec says never takes part in matching. */
function withoutEncoding(locale: string): string {
  return locale.replace(/\.[^@]*/, '');
}

function hasControlCharacter(text: string): boolean {
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 0x20 || code === 0x7f) return true;
  }
  return false;
}

/** Every group of a key file. Fails on a line that is neither a group, a key nor a comment, and on duplicates. */
export function parseKeyFile(text: string): Result<KeyFile> {
  if (text.includes('\0')) return fail('binary data (a NUL byte) in the file');
  const groups = new Map<string, Map<string, string>>();
  let current: Map<string, string> | undefined;
  let currentName = '';
  const lines = text.split('\n');
  for (let index = 0; index < lines.length; index++) {
    const lineNumber = index + 1;
    // CRLF files exist; the spec's separator is LF alone, so a trailing CR is not part of the value.
    const line = (lines[index] ?? '').replace(/\r$/, '');
    const trimmed = line.trimStart();
    if (trimmed === '' || trimmed.startsWith('#')) continue;
    if (trimmed.startsWith('[')) {
      const header = GROUP_HEADER.exec(trimmed.trimEnd());
      // Group names may hold any character but the brackets and control characters.
      if (!header?.[1] || hasControlCharacter(header[1]))
        return fail(`line ${lineNumber}: malformed group header`);
      currentName = header[1];
      if (groups.has(currentName)) return fail(`line ${lineNumber}: group [${currentName}] appears twice`);
      current = new Map();
      groups.set(currentName, current);
      continue;
    }
    const equals = trimmed.indexOf('=');
    if (equals < 0) return fail(`line ${lineNumber}: neither a group header, a key=value pair nor a comment`);
    if (!current) return fail(`line ${lineNumber}: key before the first group`);
    const rawKey = trimmed.slice(0, equals).trimEnd();
    const keyMatch = KEY.exec(rawKey);
    if (!keyMatch?.[1]) return fail(`line ${lineNumber}: invalid key name "${rawKey}"`);
    const key = keyMatch[2] === undefined ? keyMatch[1] : `${keyMatch[1]}[${withoutEncoding(keyMatch[2])}]`;
    if (current.has(key)) return fail(`line ${lineNumber}: key ${key} appears twice in [${currentName}]`);
    // Spaces around "=" are not part of the key or the value; trailing ones are kept (\s is for leading ones).
    current.set(key, trimmed.slice(equals + 1).trimStart());
  }
  return { ok: true, value: groups };
}

/** The [Desktop Entry] group of a .desktop file's text (the other groups, such as actions, are dropped). */
export function parseDesktopEntry(text: string): Result<DesktopEntry> {
  const file = parseKeyFile(text);
  if (!file.ok) return file;
  const entry = file.value.get(DESKTOP_ENTRY_GROUP);
  if (!entry) return fail(`no [${DESKTOP_ENTRY_GROUP}] group`);
  return { ok: true, value: entry };
}

const ESCAPES: Readonly<Record<string, string>> = { s: ' ', n: '\n', t: '\t', r: '\r', '\\': '\\' };

/**
 * Undoes the string escapes \s \n \t \r \\. With `listSeparator`, also \; and splits there. An unknown
 * escape stays as written: Exec relies on that, since "\$" must reach the Exec unquoting intact.
 */
function unescape(raw: string, listSeparator: boolean): string[] {
  const items: string[] = [];
  let item = '';
  for (let index = 0; index < raw.length; index++) {
    const char = raw.charAt(index);
    if (char === '\\' && index + 1 < raw.length) {
      const next = raw.charAt(index + 1);
      const replacement = ESCAPES[next] ?? (listSeparator && next === ';' ? ';' : undefined);
      item += replacement ?? char + next;
      index++;
    } else if (listSeparator && char === ';') {
      items.push(item);
      item = '';
    } else {
      item += char;
    }
  }
  // A list's trailing ";" is optional, so an empty last item is no item.
  if (!listSeparator || item !== '') items.push(item);
  return items;
}

/** A string value with its escapes undone, or undefined when the key is missing. */
export function stringValue(group: KeyFileGroup, key: string): string | undefined {
  const raw = group.get(key);
  return raw === undefined ? undefined : unescape(raw, false).join('');
}

/** A list value (";"-separated, "\;" for a literal semicolon), or undefined when the key is missing. */
export function listValue(group: KeyFileGroup, key: string): string[] | undefined {
  const raw = group.get(key);
  return raw === undefined ? undefined : unescape(raw, true);
}

/**
 * A boolean value; undefined when missing or not a boolean. "1" and "0" are accepted as older files
 * (and GLib) use them.
 */
export function booleanValue(group: KeyFileGroup, key: string): boolean | undefined {
  const raw = group.get(key)?.trim();
  if (raw === 'true' || raw === '1') return true;
  if (raw === 'false' || raw === '0') return false;
  return undefined;
}

/** The parts of a POSIX locale name that take part in matching localized keys. */
export interface PosixLocale {
  lang: string;
  country?: string;
  modifier?: string;
}

/** `de_DE.UTF-8@euro` split into its parts; undefined for C, POSIX and anything that is no locale name. */
export function parsePosixLocale(name: string): PosixLocale | undefined {
  // ISO 639 language codes are two or three lowercase letters, which also keeps C and POSIX out.
  const match = /^([a-z]{2,3})(?:_([A-Za-z0-9]+))?(?:\.[^@]*)?(?:@(.+))?$/.exec(name.trim());
  if (!match?.[1]) return undefined;
  const locale: PosixLocale = { lang: match[1] };
  if (match[2] !== undefined) locale.country = match[2];
  if (match[3] !== undefined) locale.modifier = match[3];
  return locale;
}

/** The locale postfixes to try, best first, as the spec's matching table lists them. */
export function localeCandidates(locale: PosixLocale): string[] {
  const { lang, country, modifier } = locale;
  const candidates: string[] = [];
  if (country !== undefined && modifier !== undefined) candidates.push(`${lang}_${country}@${modifier}`);
  if (country !== undefined) candidates.push(`${lang}_${country}`);
  if (modifier !== undefined) candidates.push(`${lang}@${modifier}`);
  candidates.push(lang);
  return candidates;
}

/**
 * A localestring (or iconstring) value for a POSIX locale name such as `de_DE.UTF-8@euro` (the
 * LC_MESSAGES locale): lang_COUNTRY@MODIFIER, lang_COUNTRY, lang@MODIFIER, lang, then the plain key.
 */
export function localized(group: KeyFileGroup, key: string, locale: string | undefined): string | undefined {
  const parsed = locale === undefined ? undefined : parsePosixLocale(locale);
  if (parsed) {
    for (const candidate of localeCandidates(parsed)) {
      const value = stringValue(group, `${key}[${candidate}]`);
      if (value !== undefined) return value;
    }
  }
  return stringValue(group, key);
}

// Field codes that take part in launching; when listing programs they expand to nothing.
const FIELD_CODES = new Set(['f', 'F', 'u', 'U', 'i', 'c', 'k']);
// Deprecated ones, which the spec says to remove and ignore.
const DEPRECATED_FIELD_CODES = new Set(['d', 'D', 'n', 'N', 'v', 'm']);
// `flatpak run --file-forwarding` brackets the file arguments with these; they are no program arguments.
const FLATPAK_FORWARDING_MARKERS = new Set(['@@', '@@u']);

/** Splits an Exec command line into words and undoes the quoting, before field codes are looked at. */
function splitExecWords(command: string): Result<string[]> {
  const words: string[] = [];
  let word: string | undefined;
  for (let index = 0; index < command.length; index++) {
    const char = command.charAt(index);
    if (char === ' ' || char === '\t' || char === '\n') {
      if (word !== undefined) words.push(word);
      word = undefined;
    } else if (char === '"') {
      word ??= '';
      const start = index;
      index++;
      for (;;) {
        if (index >= command.length) return fail(`unterminated quote starting at column ${start + 1}`);
        const quoted = command.charAt(index);
        if (quoted === '"') break;
        // Inside quotes a backslash escapes only " ` $ and itself; before anything else it is kept.
        if (quoted === '\\' && index + 1 < command.length && '"`$\\'.includes(command.charAt(index + 1))) {
          word += command.charAt(index + 1);
          index += 2;
        } else {
          word += quoted;
          index++;
        }
      }
    } else if (char === "'") {
      // Not in the spec (a single quote is reserved there) but common, and GLib reads it as the shell does.
      const end = command.indexOf("'", index + 1);
      if (end < 0) return fail(`unterminated single quote starting at column ${index + 1}`);
      word = (word ?? '') + command.slice(index + 1, end);
      index = end;
    } else if (char === '\\' && index + 1 < command.length) {
      // Likewise a backslash outside quotes, which the shell (and GLib) reads as escaping the next character.
      word = (word ?? '') + command.charAt(index + 1);
      index++;
    } else {
      word = (word ?? '') + char;
    }
  }
  if (word !== undefined) words.push(word);
  return { ok: true, value: words };
}

/**
 * Removes field codes from one argument and turns %% into %. Returns undefined for an argument made
 * only of field codes (such as %U), which then expands to no argument at all.
 */
function withoutFieldCodes(argument: string): Result<string | undefined> {
  let result = '';
  let removed = false;
  for (let index = 0; index < argument.length; index++) {
    const char = argument.charAt(index);
    if (char !== '%') {
      result += char;
      continue;
    }
    const code = argument.charAt(index + 1);
    index++;
    if (code === '%') result += '%';
    else if (FIELD_CODES.has(code) || DEPRECATED_FIELD_CODES.has(code)) removed = true;
    // The spec calls a command line with an unlisted field code invalid, and a literal % must be %%.
    else if (code === '') return fail('a lone % at the end (a literal % is written %%)');
    else return fail(`unknown field code %${code}`);
  }
  return { ok: true, value: removed && result === '' ? undefined : result };
}

/**
 * The argv of an Exec value (give it with its string escapes already undone, as `stringValue` returns
 * it): quoting undone, field codes and flatpak's file-forwarding markers dropped, %% turned into %.
 */
export function parseExec(command: string): Result<string[]> {
  const words = splitExecWords(command);
  if (!words.ok) return words;
  const argv: string[] = [];
  let forwardingFiles = false;
  for (const word of words.value) {
    const argument = withoutFieldCodes(word);
    if (!argument.ok) return argument;
    if (argument.value === undefined) continue;
    if (forwardingFiles && FLATPAK_FORWARDING_MARKERS.has(argument.value)) continue;
    if (argument.value === '--file-forwarding') forwardingFiles = true;
    argv.push(argument.value);
  }
  const program = argv[0];
  if (program === undefined || program === '') return fail('Exec names no program');
  if (program.includes('=')) return fail(`Exec program "${program}" contains "=" (a shell assignment?)`);
  return { ok: true, value: argv };
}
