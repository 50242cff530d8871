// The tray icon in Electron: builds the image, tooltip and menu from the pure model and applies them
// only when they change (the helper's stats arrive every second and must not rebuild the menu).
import { join } from 'node:path';
import { Menu, nativeImage, type MenuItemConstructorOptions, type NativeImage, type Tray } from 'electron';
import { trayIconFileName, trayIconScales, type TrayIconState, type TrayTheme } from './tray-icons.js';
import type { TrayStyle } from '../shared/settings.js';
import type { TrayAction, TrayMenuItem, TrayView } from './tray-model.js';

/** The tray icon for a state and theme, with a sharper representation for HiDPI panels. */
export function loadTrayImage(
  iconDir: string,
  icon: TrayIconState,
  theme: TrayTheme,
  style: TrayStyle = 'colour',
): NativeImage {
  const image = nativeImage.createEmpty();
  for (const { scaleFactor, size } of trayIconScales(process.platform)) {
    const file = join(iconDir, trayIconFileName(icon, theme, size, style));
    const representation = nativeImage.createFromPath(file);
    if (!representation.isEmpty()) image.addRepresentation({ scaleFactor, buffer: representation.toPNG() });
  }
  return image;
}

function menuTemplate(
  items: readonly TrayMenuItem[],
  onAction: (action: TrayAction) => void,
): MenuItemConstructorOptions[] {
  return items.map((item): MenuItemConstructorOptions => {
    switch (item.kind) {
      case 'status':
        return { label: item.label, enabled: false };
      case 'separator':
        return { type: 'separator' };
      case 'action':
        return { label: item.label, enabled: item.enabled, click: () => onAction(item.action) };
    }
  });
}

export class TrayController {
  private shown: { image: string; tooltip: string; menu: string } | undefined;

  constructor(
    private readonly tray: Tray,
    private readonly iconDir: string,
    private readonly onAction: (action: TrayAction) => void,
  ) {}

  update(view: TrayView): void {
    const next = {
      image: `${view.icon}-${view.theme}-${view.style}`,
      tooltip: view.tooltip,
      menu: JSON.stringify(view.menu),
    };
    if (next.image !== this.shown?.image)
      this.tray.setImage(loadTrayImage(this.iconDir, view.icon, view.theme, view.style));
    if (next.tooltip !== this.shown?.tooltip) this.tray.setToolTip(view.tooltip);
    // Linux trays only pick up menu changes through a new setContextMenu call, so a change sets it anew.
    if (next.menu !== this.shown?.menu)
      this.tray.setContextMenu(Menu.buildFromTemplate(menuTemplate(view.menu, this.onAction)));
    this.shown = next;
  }

  destroy(): void {
    this.tray.destroy();
  }
}
