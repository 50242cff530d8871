// Electron rejects a failed ipcRenderer.invoke with "Error invoking remote method '<channel>': Error:
// <message>"; the renderer should see the helper's (or the validator's) own message. Pure.

const REMOTE_PREFIX = /^Error invoking remote method '[^']*': (?:[A-Za-z]*Error: )?/;

/** The message without Electron's remote-method wrapper. */
export function unwrapInvokeMessage(message: string): string {
  return message.replace(REMOTE_PREFIX, '');
}

/** An Error carrying the unwrapped message, whatever was thrown. */
export function unwrapInvokeError(error: unknown): Error {
  const message = error instanceof Error ? error.message : String(error);
  return new Error(unwrapInvokeMessage(message));
}
