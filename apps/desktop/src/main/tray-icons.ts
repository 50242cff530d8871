// Which tray icon file to show: state and panel theme to a file under assets/icons/tray (drawn by
// assets/icons/generate.mjs, whose names this mirrors). Pure.
import type { AppState } from '../shared/ipc.js';
import type { TrayStyle } from '../shared/settings.js';

export const TRAY_ICON_STATES = ['disconnected', 'connecting', 'connected', 'blocked'] as const;
export type TrayIconState = (typeof TRAY_ICON_STATES)[number];

/** The panel the icon sits on: `dark` panels get light ink, `light` panels dark ink. */
export const TRAY_THEMES = ['light', 'dark'] as const;
export type TrayTheme = (typeof TRAY_THEMES)[number];

export const TRAY_ICON_SIZES = [16, 22, 32, 44, 64] as const;
export type TrayIconSize = (typeof TRAY_ICON_SIZES)[number];

/** The icon for a state. Traffic that cannot flow (an error that blocks, or lockdown while disconnected) is "blocked". */
export function trayIconState(state: Pick<AppState, 'helper' | 'tunnel'>): TrayIconState {
  const { tunnel } = state;
  if (state.helper.kind !== 'connected') return 'disconnected';
  switch (tunnel.state) {
    case 'connected':
      return 'connected';
    case 'connecting':
    case 'disconnecting':
      return 'connecting';
    case 'error':
      return tunnel.error?.blocking === true ? 'blocked' : 'disconnected';
    case 'disconnected':
      return tunnel.lockedDown ? 'blocked' : 'disconnected';
  }
}

export interface ThemeFacts {
  platform: NodeJS.Platform;
  /** nativeTheme.shouldUseDarkColors */
  prefersDark: boolean;
  /** XDG_CURRENT_DESKTOP, e.g. "ubuntu:GNOME" */
  currentDesktop: string | undefined;
}

/** The panel's theme. GNOME Shell's top bar is dark whatever the application theme is. */
export function trayTheme(facts: ThemeFacts): TrayTheme {
  if (facts.platform === 'linux' && /(^|:)GNOME($|:)/i.test(facts.currentDesktop ?? '')) return 'dark';
  return facts.prefersDark ? 'dark' : 'light';
}

/** Colour icons fill the shield by state; monochrome ones (for symbolic panels) use the panel's ink only. */
export function trayIconFileName(
  state: TrayIconState,
  theme: TrayTheme,
  size: TrayIconSize,
  style: TrayStyle = 'colour',
): string {
  return style === 'monochrome' ? `${state}-${theme}-mono-${size}.png` : `${state}-${theme}-${size}.png`;
}

/**
 * Pixel sizes per display scale for a platform's tray: Linux panels use 22 px icons, macOS and Windows
 * 16 px. The 1x size comes first; higher scales let HiDPI panels pick a sharp image.
 */
export function trayIconScales(platform: NodeJS.Platform): { scaleFactor: number; size: TrayIconSize }[] {
  if (platform === 'linux') {
    return [
      { scaleFactor: 1, size: 22 },
      { scaleFactor: 2, size: 44 },
    ];
  }
  return [
    { scaleFactor: 1, size: 16 },
    { scaleFactor: 2, size: 32 },
    { scaleFactor: 4, size: 64 },
  ];
}
