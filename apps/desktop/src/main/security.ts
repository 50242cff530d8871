// The renderer's fences, as pure checks: the content security policy, which IPC senders are trusted,
// and which requests the renderer may make (its own files only: no remote content).
import { pathToFileURL } from 'node:url';

/**
 * Only the app's own scripts, styles, images and fonts; no network, no plugins, no frames, no forms.
 * The renderer's index.html carries the same policy in a meta tag (file:// responses have no headers).
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'none'",
  "media-src 'none'",
  "object-src 'none'",
  "frame-src 'none'",
  "worker-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Response headers with our policy in place of any the response had. */
export function withContentSecurityPolicy(
  headers: Record<string, string[]> | undefined,
): Record<string, string[]> {
  const kept = Object.entries(headers ?? {}).filter(
    ([name]) => name.toLowerCase() !== 'content-security-policy',
  );
  return { ...Object.fromEntries(kept), 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] };
}

/** The file:// URL of the renderer's index.html: the only page the window ever loads. */
export function rendererUrl(indexHtmlPath: string): URL {
  return pathToFileURL(indexHtmlPath);
}

export interface SenderFacts {
  /** webContents.id of the message's sender. */
  senderId: number;
  /** webContents.id of the main window, undefined when there is none. */
  windowId: number | undefined;
  /** event.senderFrame?.url; undefined when the frame is gone. */
  frameUrl: string | undefined;
  /** The sending frame is the page's top frame (not an iframe). */
  isMainFrame: boolean;
}

/** An IPC message is acted on only when it comes from our window's top frame, showing our index.html. */
export function isTrustedSender(facts: SenderFacts, expected: URL): boolean {
  if (facts.windowId === undefined || facts.senderId !== facts.windowId) return false;
  if (!facts.isMainFrame || facts.frameUrl === undefined) return false;
  let url: URL;
  try {
    url = new URL(facts.frameUrl);
  } catch {
    return false;
  }
  // The renderer may route with the hash (or a query); the document itself must be ours.
  return url.protocol === 'file:' && url.host === expected.host && url.pathname === expected.pathname;
}

/**
 * Requests the renderer may make: files inside the renderer's own folder, inline data images, and
 * DevTools. Everything else (http, https, ws, other files) is cancelled.
 */
export function isAllowedRequest(requestUrl: string, rendererDir: URL): boolean {
  let url: URL;
  try {
    url = new URL(requestUrl);
  } catch {
    return false;
  }
  switch (url.protocol) {
    case 'data:':
    case 'devtools:':
      return true;
    case 'file:': {
      const base = rendererDir.pathname.endsWith('/') ? rendererDir.pathname : `${rendererDir.pathname}/`;
      // URL parsing has already resolved "..", so a prefix check cannot be escaped.
      return url.host === rendererDir.host && url.pathname.startsWith(base);
    }
    default:
      return false;
  }
}
