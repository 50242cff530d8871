// Turn whatever a rejected invoke carries into the helper's own words.

// Electron wraps errors thrown in ipcMain.handle: "Error invoking remote method 'sluice:invoke': Error: …".
const ELECTRON_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

export function messageOf(error: unknown): string {
  if (error instanceof Error) return error.message.replace(ELECTRON_PREFIX, '') || error.name;
  if (typeof error === 'string') return error;
  if (typeof error === 'object' && error !== null && 'error' in error && typeof error.error === 'string') {
    return error.error;
  }
  return 'unknown error';
}
