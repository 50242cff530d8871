// An app's Icon value resolved to an SVG or PNG file as the Icon Theme Specification looks icons up:
// the current theme, its Inherits= parents, hicolor, then the base directories themselves (pixmaps).
// XPM is left out: the renderer cannot show it.
import { join } from 'node:path';
import { parseKeyFile, stringValue, type KeyFileGroup } from './desktop-entry.js';
import { readdirOrEmpty, statOrUndefined, type AppFileSystem } from './file-system.js';
import {
  dataDirs,
  dataHome,
  homeDir,
  SNAP_DESKTOP_SHARE,
  SYSTEM_FLATPAK_EXPORTS,
  uniquePaths,
  userFlatpakExports,
  type AppEnvironment,
} from './xdg.js';

export type IconMime = 'image/svg+xml' | 'image/png';

export interface IconFile {
  path: string;
  mime: IconMime;
}

export interface IconOptions {
  /** The desktop's icon theme (GNOME's icon-theme setting …); hicolor when unknown. */
  theme?: string | undefined;
  /** The wanted size in pixels (default 48). */
  size?: number | undefined;
}

export const DEFAULT_ICON_THEME = 'hicolor';
export const DEFAULT_ICON_SIZE = 48;
export const MAX_ICON_BYTES = 512 * 1024;
// Real themes inherit two or three levels deep; more is a mistake or a loop.
const MAX_INHERIT_DEPTH = 8;
const MAX_INDEX_THEME_BYTES = 256 * 1024;
const PIXMAPS = '/usr/share/pixmaps';

// In the spec's order (which matters only for the unthemed fallback; in a theme, size decides).
const EXTENSIONS: readonly { extension: string; mime: IconMime }[] = [
  { extension: 'png', mime: 'image/png' },
  { extension: 'svg', mime: 'image/svg+xml' },
];

/** The directories themes live in, highest precedence first. */
export function iconThemeDirs(env: AppEnvironment): string[] {
  const home = homeDir(env);
  const data = dataHome(env);
  const userFlatpak = userFlatpakExports(env);
  return uniquePaths([
    data === undefined ? undefined : join(data, 'icons'),
    // Still honoured for backwards compatibility, as the spec asks.
    home === undefined ? undefined : join(home, '.icons'),
    ...dataDirs(env).map((dir) => join(dir, 'icons')),
    userFlatpak === undefined ? undefined : join(userFlatpak, 'icons'),
    join(SYSTEM_FLATPAK_EXPORTS, 'icons'),
    join(SNAP_DESKTOP_SHARE, 'icons'),
  ]);
}

/** The base directories of the spec: the theme directories, then /usr/share/pixmaps (which holds no themes). */
export function iconBaseDirs(env: AppEnvironment): string[] {
  return uniquePaths([...iconThemeDirs(env), PIXMAPS]);
}

/** One directory of a theme as its index.theme describes it. */
export interface ThemeDirectory {
  /** Relative to the theme, e.g. `48x48/apps`. */
  path: string;
  type: 'Fixed' | 'Scalable' | 'Threshold';
  size: number;
  minSize: number;
  maxSize: number;
  threshold: number;
}

export interface IconTheme {
  name: string;
  directories: ThemeDirectory[];
  parents: string[];
}

// hicolor's application directories, for a system whose hicolor has no index.theme (flatpak's exported
// hicolor tree has none, and minimal systems may lack the hicolor-icon-theme package).
const HICOLOR_APPS: readonly ThemeDirectory[] = [
  { path: 'scalable/apps', type: 'Scalable', size: 128, minSize: 1, maxSize: 256, threshold: 2 },
  ...[16, 22, 24, 32, 36, 48, 64, 72, 96, 128, 192, 256, 512].map((size): ThemeDirectory => ({
    path: `${size}x${size}/apps`,
    type: 'Threshold',
    size,
    minSize: size,
    maxSize: size,
    threshold: 2,
  })),
];

function integer(group: KeyFileGroup, key: string): number | undefined {
  const raw = stringValue(group, key)?.trim();
  return raw !== undefined && /^\d+$/.test(raw) ? Number(raw) : undefined;
}

/** index.theme lists (Directories, Inherits) are comma-separated, unlike desktop entry lists. */
function commaList(group: KeyFileGroup, key: string): string[] {
  return (stringValue(group, key) ?? '')
    .split(',')
    .map((item) => item.trim())
    .filter((item) => item !== '');
}

/** A theme from its index.theme text; undefined when the text is no theme index. */
export function parseIndexTheme(name: string, text: string): IconTheme | undefined {
  const file = parseKeyFile(text);
  if (!file.ok) return undefined;
  const header = file.value.get('Icon Theme');
  if (!header) return undefined;
  const directories: ThemeDirectory[] = [];
  for (const path of commaList(header, 'Directories')) {
    const group = file.value.get(path);
    const size = group === undefined ? undefined : integer(group, 'Size');
    if (group === undefined || size === undefined) continue;
    // Only 1x: the icon ends up in an <img> the renderer scales anyway.
    if ((integer(group, 'Scale') ?? 1) !== 1) continue;
    const type = stringValue(group, 'Type')?.trim();
    directories.push({
      path,
      type: type === 'Fixed' || type === 'Scalable' ? type : 'Threshold',
      size,
      minSize: integer(group, 'MinSize') ?? size,
      maxSize: integer(group, 'MaxSize') ?? size,
      threshold: integer(group, 'Threshold') ?? 2,
    });
  }
  return { name, directories, parents: commaList(header, 'Inherits') };
}

/** How far a directory's icons are from the wanted size (0: they fit), after the spec's DirectorySizeDistance. */
function sizeDistance(directory: ThemeDirectory, wanted: number): number {
  const [low, high] =
    directory.type === 'Fixed'
      ? [directory.size, directory.size]
      : directory.type === 'Scalable'
        ? [directory.minSize, directory.maxSize]
        : [directory.size - directory.threshold, directory.size + directory.threshold];
  if (wanted < low) return low - wanted;
  if (wanted > high) return wanted - high;
  return 0;
}

function isPlainName(name: string): boolean {
  return name !== '' && name !== '.' && name !== '..' && !name.includes('/') && !name.includes('\0');
}

function mimeOfPath(path: string): IconMime | undefined {
  const lower = path.toLowerCase();
  if (lower.endsWith('.svg')) return 'image/svg+xml';
  if (lower.endsWith('.png')) return 'image/png';
  return undefined;
}

interface Candidate {
  file: IconFile;
  distance: number;
  /** SVG scales cleanly, so among equally close icons it wins. */
  vector: boolean;
  size: number;
}

/** Finds icons by name; keeps directory listings and theme indexes between calls, so build one per listing. */
export class IconResolver {
  private readonly themeDirs: string[];
  private readonly baseDirs: string[];
  private readonly theme: string;
  private readonly size: number;
  private readonly listings = new Map<string, Promise<ReadonlySet<string>>>();
  private chain: Promise<IconTheme[]> | undefined;

  constructor(
    env: AppEnvironment,
    private readonly fs: AppFileSystem,
    options: IconOptions = {},
  ) {
    this.themeDirs = iconThemeDirs(env);
    this.baseDirs = iconBaseDirs(env);
    this.theme =
      options.theme !== undefined && isPlainName(options.theme) ? options.theme : DEFAULT_ICON_THEME;
    this.size = options.size ?? DEFAULT_ICON_SIZE;
  }

  /** The file for an Icon value (a theme icon name or an absolute path), or undefined when there is none. */
  async resolve(icon: string): Promise<IconFile | undefined> {
    const value = icon.trim();
    if (value.startsWith('/')) {
      const mime = mimeOfPath(value);
      return mime !== undefined && (await this.isFile(value)) ? { path: value, mime } : undefined;
    }
    // A relative path is not an icon name; GLib strips these extensions people add to names.
    const name = value.replace(/\.(png|svg|xpm)$/i, '');
    if (!isPlainName(name)) return undefined;
    for (const theme of await this.themeChain()) {
      const found = await this.lookupInTheme(theme, name);
      if (found) return found;
    }
    return this.lookupUnthemed(name);
  }

  private async isFile(path: string): Promise<boolean> {
    return (await statOrUndefined(this.fs, path))?.isFile() === true;
  }

  private listing(dir: string): Promise<ReadonlySet<string>> {
    let names = this.listings.get(dir);
    if (!names) {
      names = readdirOrEmpty(this.fs, dir).then((list) => new Set(list));
      this.listings.set(dir, names);
    }
    return names;
  }

  /** The theme's index.theme from the first theme directory holding one (hicolor has a built-in default). */
  private async loadTheme(name: string): Promise<IconTheme | undefined> {
    for (const base of this.themeDirs) {
      const index = join(base, name, 'index.theme');
      const facts = await statOrUndefined(this.fs, index);
      if (!facts?.isFile() || facts.size > MAX_INDEX_THEME_BYTES) continue;
      let text: string;
      try {
        text = new TextDecoder('utf-8', { fatal: true }).decode(await this.fs.readFile(index));
      } catch {
        continue;
      }
      const theme = parseIndexTheme(name, text);
      if (theme) return theme;
    }
    return name === DEFAULT_ICON_THEME ? { name, directories: [...HICOLOR_APPS], parents: [] } : undefined;
  }

  /** The themes to search in order: the current one, its parents depth first, hicolor last. */
  private themeChain(): Promise<IconTheme[]> {
    this.chain ??= (async () => {
      const chain: IconTheme[] = [];
      const seen = new Set<string>();
      const visit = async (name: string, depth: number): Promise<void> => {
        if (seen.has(name) || depth > MAX_INHERIT_DEPTH || !isPlainName(name)) return;
        seen.add(name);
        const theme = await this.loadTheme(name);
        if (!theme) return;
        chain.push(theme);
        for (const parent of theme.parents) await visit(parent, depth + 1);
      };
      await visit(this.theme, 0);
      await visit(DEFAULT_ICON_THEME, 0);
      return chain;
    })();
    return this.chain;
  }

  private async lookupInTheme(theme: IconTheme, name: string): Promise<IconFile | undefined> {
    const candidates: Candidate[] = [];
    for (const base of this.themeDirs) {
      // Most base directories do not hold most themes: one listing saves a few hundred.
      if (!(await this.listing(base)).has(theme.name)) continue;
      for (const directory of theme.directories) {
        const dir = join(base, theme.name, directory.path);
        const names = await this.listing(dir);
        for (const { extension, mime } of EXTENSIONS) {
          if (!names.has(`${name}.${extension}`)) continue;
          candidates.push({
            file: { path: join(dir, `${name}.${extension}`), mime },
            distance: sizeDistance(directory, this.size),
            vector: mime === 'image/svg+xml',
            size: directory.type === 'Scalable' ? directory.maxSize : directory.size,
          });
        }
      }
    }
    // Closest size first; then SVG; then the larger (scaling down looks better); then precedence order.
    const ranked = candidates
      .map((candidate, order) => ({ candidate, order }))
      .sort(
        (a, b) =>
          a.candidate.distance - b.candidate.distance ||
          Number(b.candidate.vector) - Number(a.candidate.vector) ||
          b.candidate.size - a.candidate.size ||
          a.order - b.order,
      );
    for (const { candidate } of ranked) {
      // A listed name can still be a directory or a dangling link.
      if (await this.isFile(candidate.file.path)) return candidate.file;
    }
    return undefined;
  }

  /** The spec's LookupFallbackIcon: the icon straight in a base directory, such as /usr/share/pixmaps. */
  private async lookupUnthemed(name: string): Promise<IconFile | undefined> {
    for (const base of this.baseDirs) {
      const names = await this.listing(base);
      for (const { extension, mime } of EXTENSIONS) {
        const path = join(base, `${name}.${extension}`);
        if (names.has(`${name}.${extension}`) && (await this.isFile(path))) return { path, mime };
      }
    }
    return undefined;
  }
}

/** One lookup; for many, keep an IconResolver so the directory listings are read once. */
export function resolveIcon(
  icon: string,
  env: AppEnvironment,
  fs: AppFileSystem,
  options: IconOptions = {},
): Promise<IconFile | undefined> {
  return new IconResolver(env, fs, options).resolve(icon);
}

const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/** Whether the bytes are what the MIME type claims, so a misnamed file never reaches the renderer. */
function contentMatches(bytes: Uint8Array, mime: IconMime): boolean {
  if (mime === 'image/png') return PNG_SIGNATURE.every((byte, index) => bytes[index] === byte);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes).includes('<svg');
  } catch {
    return false;
  }
}

/**
 * The icon as a `data:` URL for the renderer, or undefined when it is unreadable, bigger than
 * `maxBytes` or not what its name says. An SVG shown through <img> runs no scripts.
 */
export async function iconDataUrl(
  fs: AppFileSystem,
  icon: IconFile,
  maxBytes: number = MAX_ICON_BYTES,
): Promise<string | undefined> {
  const facts = await statOrUndefined(fs, icon.path);
  if (!facts?.isFile() || facts.size > maxBytes) return undefined;
  let bytes: Uint8Array;
  try {
    bytes = await fs.readFile(icon.path);
  } catch {
    return undefined;
  }
  if (bytes.length > maxBytes || !contentMatches(bytes, icon.mime)) return undefined;
  return `data:${icon.mime};base64,${Buffer.from(bytes).toString('base64')}`;
}
