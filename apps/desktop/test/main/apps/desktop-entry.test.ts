// The Desktop Entry parser: groups and lines, value escapes, lists, booleans, the locale matching
// order, and Exec command lines (quoting, field codes, flatpak's markers), with reasons for bad input.
import { describe, expect, it } from 'vitest';
import {
  booleanValue,
  listValue,
  localeCandidates,
  localized,
  parseDesktopEntry,
  parseExec,
  parseKeyFile,
  parsePosixLocale,
  stringValue,
  type DesktopEntry,
  type Result,
} from '../../../src/main/apps/desktop-entry.js';
import { FLATPAK_FIREFOX_EXEC } from './system-fixture.js';

function value<T>(result: Result<T>): T {
  if (!result.ok) throw new Error(`expected success, got: ${result.reason}`);
  return result.value;
}

function reason<T>(result: Result<T>): string {
  if (result.ok) throw new Error(`expected a failure, got ${JSON.stringify(result.value)}`);
  return result.reason;
}

function entry(text: string): DesktopEntry {
  return value(parseDesktopEntry(text));
}

/** The argv of an Exec line as written in a file: string escapes first, then the Exec rules. */
function argvOf(execLine: string): string[] {
  return value(parseExec(stringValue(entry(`[Desktop Entry]\nExec=${execLine}\n`), 'Exec') ?? ''));
}

describe('key file structure', () => {
  it('keeps the [Desktop Entry] group and ignores comments, blank lines and other groups', () => {
    const parsed = entry(
      [
        '# Created by hand',
        '',
        '[Desktop Entry]',
        'Type=Application',
        '  # an indented comment',
        'Name = Files ',
        'Exec=nautilus --new-window %U',
        '',
        '[Desktop Action new-window]',
        'Name=New Window',
        'Exec=nautilus --new-window',
      ].join('\n'),
    );
    // Spaces around "=" go; a trailing space is part of the value.
    expect([...parsed.entries()]).toEqual([
      ['Type', 'Application'],
      ['Name', 'Files '],
      ['Exec', 'nautilus --new-window %U'],
    ]);
  });

  it('reads CRLF files and every group of a key file', () => {
    const file = value(parseKeyFile('[Icon Theme]\r\nName=Yaru\r\n\r\n[48x48/apps]\r\nSize=48\r\n'));
    expect([...file.keys()]).toEqual(['Icon Theme', '48x48/apps']);
    expect(file.get('48x48/apps')?.get('Size')).toBe('48');
    expect(file.get('Icon Theme')?.get('Name')).toBe('Yaru');
  });

  it('stores localized keys by their locale, without the encoding', () => {
    const parsed = entry('[Desktop Entry]\nName=Files\nName[de_DE.UTF-8]=Dateien\nName[sr@latin]=Datoteke\n');
    expect(parsed.get('Name[de_DE]')).toBe('Dateien');
    expect(parsed.get('Name[sr@latin]')).toBe('Datoteke');
  });

  it('explains why a file is no desktop entry', () => {
    expect(reason(parseDesktopEntry('Name=No group\nExec=foo\n'))).toBe('line 1: key before the first group');
    expect(reason(parseDesktopEntry('[Desktop Action new]\nName=New\n'))).toBe('no [Desktop Entry] group');
    expect(reason(parseDesktopEntry(''))).toBe('no [Desktop Entry] group');
    expect(reason(parseDesktopEntry('[Desktop Entry]\nType=Application\njust words\n'))).toBe(
      'line 3: neither a group header, a key=value pair nor a comment',
    );
    expect(reason(parseDesktopEntry('[Desktop Entry\nName=x\n'))).toBe('line 1: malformed group header');
    expect(reason(parseDesktopEntry('[Desktop Entry]\nName=a\n[Desktop Entry]\nName=b\n'))).toBe(
      'line 3: group [Desktop Entry] appears twice',
    );
    expect(reason(parseDesktopEntry('[Desktop Entry]\nName=a\nName=b\n'))).toBe(
      'line 3: key Name appears twice in [Desktop Entry]',
    );
    expect(reason(parseDesktopEntry('[Desktop Entry]\nNa me=a\n'))).toBe('line 2: invalid key name "Na me"');
    expect(reason(parseDesktopEntry('\u0089PNG\r\n\u001a\n\0\0\0\rIHDR'))).toBe(
      'binary data (a NUL byte) in the file',
    );
  });
});

describe('values', () => {
  const values = entry(
    [
      '[Desktop Entry]',
      String.raw`Comment=\sLeading space,\ttab,\nnewline,\rreturn, back\\slash, kept \; and \q`,
      String.raw`Keywords=web;browser;semi\;colon;back\\;`,
      'Categories=Network;WebBrowser',
      'MimeType=',
      'Terminal=false',
      'NoDisplay=true',
      'Hidden=1',
      'StartupNotify=yes',
    ].join('\n'),
  );

  it('undoes the string escapes and leaves unknown ones as written', () => {
    expect(stringValue(values, 'Comment')).toBe(
      ' Leading space,\ttab,\nnewline,\rreturn, back\\slash, kept \\; and \\q',
    );
    expect(stringValue(values, 'Missing')).toBeUndefined();
  });

  it('splits lists at unescaped semicolons, with or without the trailing one', () => {
    expect(listValue(values, 'Keywords')).toEqual(['web', 'browser', 'semi;colon', 'back\\']);
    expect(listValue(values, 'Categories')).toEqual(['Network', 'WebBrowser']);
    expect(listValue(values, 'MimeType')).toEqual([]);
    expect(listValue(values, 'Missing')).toBeUndefined();
  });

  it('reads booleans, and nothing that is not one', () => {
    expect(booleanValue(values, 'Terminal')).toBe(false);
    expect(booleanValue(values, 'NoDisplay')).toBe(true);
    expect(booleanValue(values, 'Hidden')).toBe(true);
    expect(booleanValue(values, 'StartupNotify')).toBeUndefined();
    expect(booleanValue(values, 'Missing')).toBeUndefined();
  });
});

describe('localized values', () => {
  it('splits POSIX locale names', () => {
    expect(parsePosixLocale('de_DE.UTF-8@euro')).toEqual({ lang: 'de', country: 'DE', modifier: 'euro' });
    expect(parsePosixLocale('pt_BR.UTF-8')).toEqual({ lang: 'pt', country: 'BR' });
    expect(parsePosixLocale('sr@latin')).toEqual({ lang: 'sr', modifier: 'latin' });
    expect(parsePosixLocale('C')).toBeUndefined();
    expect(parsePosixLocale('C.UTF-8')).toBeUndefined();
    expect(parsePosixLocale('POSIX')).toBeUndefined();
  });

  it('tries the spec table order', () => {
    expect(localeCandidates({ lang: 'de', country: 'DE', modifier: 'euro' })).toEqual([
      'de_DE@euro',
      'de_DE',
      'de@euro',
      'de',
    ]);
    expect(localeCandidates({ lang: 'sr', modifier: 'latin' })).toEqual(['sr@latin', 'sr']);
    expect(localeCandidates({ lang: 'pt', country: 'BR' })).toEqual(['pt_BR', 'pt']);
  });

  const all = entry(
    [
      '[Desktop Entry]',
      'Name=Plain',
      'Name[de_DE@euro]=de_DE@euro',
      'Name[de_DE]=de_DE',
      'Name[de@euro]=de@euro',
      'Name[de]=de',
      'Name[pt]=Ficheiros',
      'Name[pt_BR]=Arquivos',
      String.raw`Comment[de]=Mit\sEscape`,
    ].join('\n'),
  );

  it('picks lang_COUNTRY@MODIFIER, lang_COUNTRY, lang@MODIFIER, lang, then the plain key', () => {
    expect(localized(all, 'Name', 'de_DE.UTF-8@euro')).toBe('de_DE@euro');
    const withoutFull = new Map([...all].filter(([key]) => key !== 'Name[de_DE@euro]'));
    expect(localized(withoutFull, 'Name', 'de_DE.UTF-8@euro')).toBe('de_DE');
    const withoutCountry = new Map([...withoutFull].filter(([key]) => key !== 'Name[de_DE]'));
    expect(localized(withoutCountry, 'Name', 'de_DE.UTF-8@euro')).toBe('de@euro');
    const langOnly = new Map([...withoutCountry].filter(([key]) => key !== 'Name[de@euro]'));
    expect(localized(langOnly, 'Name', 'de_DE.UTF-8@euro')).toBe('de');
    expect(localized(all, 'Name', 'fr_FR.UTF-8')).toBe('Plain');
  });

  it('matches no modifier or country the locale does not have', () => {
    // de_AT has no key of its own and no modifier: it must not take de_DE or de@euro.
    expect(localized(all, 'Name', 'de_AT.UTF-8')).toBe('de');
    expect(localized(all, 'Name', 'de')).toBe('de');
    expect(localized(all, 'Name', 'pt_BR.UTF-8')).toBe('Arquivos');
    expect(localized(all, 'Name', 'pt_PT.UTF-8')).toBe('Ficheiros');
  });

  it('falls back to the plain key for C, no locale, and unescapes the localized value', () => {
    expect(localized(all, 'Name', 'C.UTF-8')).toBe('Plain');
    expect(localized(all, 'Name', undefined)).toBe('Plain');
    expect(localized(all, 'Comment', 'de_DE.UTF-8')).toBe('Mit Escape');
    expect(localized(all, 'Comment', 'en_GB.UTF-8')).toBeUndefined();
  });
});

describe('Exec', () => {
  it('undoes quoting and escapes, and drops field codes', () => {
    expect(argvOf(String.raw`"/opt/My App/bin/app" --flag "a \\"quoted\\" arg" %F`)).toEqual([
      '/opt/My App/bin/app',
      '--flag',
      'a "quoted" arg',
    ]);
  });

  it('keeps escaped dollars, backticks and backslashes inside quotes literal', () => {
    // As the spec says: "\\$" in the file is a literal $, "\\\\" a literal backslash.
    expect(argvOf('sh -c "echo \\\\$HOME \\\\` \\\\\\\\ done"')).toEqual([
      'sh',
      '-c',
      'echo $HOME ` \\ done',
    ]);
    expect(argvOf(String.raw`app "C:\\\\temp"`)).toEqual(['app', 'C:\\temp']);
  });

  it('reads the flatpak export line without field codes or file-forwarding markers', () => {
    expect(argvOf(FLATPAK_FIREFOX_EXEC)).toEqual([
      '/usr/bin/flatpak',
      'run',
      '--branch=stable',
      '--arch=x86_64',
      '--command=firefox',
      '--file-forwarding',
      'org.mozilla.firefox',
    ]);
  });

  it('keeps @@ when flatpak is not forwarding files, and %% as one %', () => {
    expect(argvOf('echo @@ 100%% %%u')).toEqual(['echo', '@@', '100%', '%u']);
  });

  it('drops every field code, deprecated ones too, and only the code inside a word', () => {
    expect(argvOf('app %f %F %u %U %i %c %k %d %D %n %N %v %m --file=%f')).toEqual(['app', '--file=']);
    // An explicitly empty argument is still an argument.
    expect(argvOf('app ""')).toEqual(['app', '']);
  });

  it('splits on spaces and tabs, and joins quoted parts of one word', () => {
    expect(argvOf(String.raw`  app\t--name="My Name"   'single quoted' x `)).toEqual([
      'app',
      '--name=My Name',
      'single quoted',
      'x',
    ]);
  });

  it('explains what is wrong with a command line', () => {
    expect(reason(parseExec('"/opt/My App/bin/app --flag'))).toBe('unterminated quote starting at column 1');
    expect(reason(parseExec("app 'open"))).toBe('unterminated single quote starting at column 5');
    expect(reason(parseExec('app %x'))).toBe('unknown field code %x');
    expect(reason(parseExec('app 100%'))).toBe('a lone % at the end (a literal % is written %%)');
    expect(reason(parseExec('   '))).toBe('Exec names no program');
    expect(reason(parseExec('%U'))).toBe('Exec names no program');
    expect(reason(parseExec('GDK_BACKEND=x11 app'))).toBe(
      'Exec program "GDK_BACKEND=x11" contains "=" (a shell assignment?)',
    );
  });
});
