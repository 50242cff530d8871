// The renderer's fences: CSP, trusted IPC senders, allowed requests; and the IPC bridge that applies
// the sender check before the backend sees a message.
import { describe, expect, it, vi } from 'vitest';
import {
  bridgeInvoke,
  REFUSED_MESSAGE,
  sendPatch,
  type IpcMainLike,
  type InvokeEventLike,
} from '../../src/main/ipc-bridge.js';
import {
  CONTENT_SECURITY_POLICY,
  isAllowedRequest,
  isTrustedSender,
  rendererUrl,
  withContentSecurityPolicy,
} from '../../src/main/security.js';
import { IPC_INVOKE, IPC_STATE } from '../../src/shared/ipc.js';

const index = rendererUrl('/opt/Sluice/resources/app.asar/dist/renderer/index.html');
const rendererDir = rendererUrl('/opt/Sluice/resources/app.asar/dist/renderer');

describe('content security policy', () => {
  it('allows only the app itself, and nothing by default', () => {
    const directives = new Map(
      CONTENT_SECURITY_POLICY.split('; ').map((d) => [d.split(' ')[0], d.split(' ').slice(1).join(' ')]),
    );
    expect(directives.get('default-src')).toBe("'none'");
    expect(directives.get('script-src')).toBe("'self'");
    expect(directives.get('connect-src')).toBe("'none'");
    expect(directives.get('object-src')).toBe("'none'");
    expect(directives.get('frame-ancestors')).toBe("'none'");
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);
  });

  it('replaces whatever policy a response had', () => {
    const headers = withContentSecurityPolicy({
      'content-security-policy': ["script-src 'unsafe-inline'"],
      'X-Other': ['1'],
    });
    expect(headers).toEqual({ 'X-Other': ['1'], 'Content-Security-Policy': [CONTENT_SECURITY_POLICY] });
    expect(withContentSecurityPolicy(undefined)).toEqual({
      'Content-Security-Policy': [CONTENT_SECURITY_POLICY],
    });
  });
});

describe('trusted IPC senders', () => {
  const trusted = { senderId: 7, windowId: 7, frameUrl: index.href, isMainFrame: true };

  it('trusts our window showing our page, whatever route it is on', () => {
    expect(isTrustedSender(trusted, index)).toBe(true);
    expect(isTrustedSender({ ...trusted, frameUrl: `${index.href}#/settings` }, index)).toBe(true);
  });

  it.each([
    ['another web contents', { senderId: 8 }],
    ['no window yet', { windowId: undefined }],
    ['a subframe', { isMainFrame: false }],
    ['a destroyed frame', { frameUrl: undefined }],
    ['a remote page', { frameUrl: 'https://example.com/index.html' }],
    ['another local file', { frameUrl: 'file:///tmp/evil/index.html' }],
    ['a data URL', { frameUrl: 'data:text/html,<script>1</script>' }],
    ['garbage', { frameUrl: 'not a url' }],
  ])('refuses %s', (_name, change) => {
    expect(isTrustedSender({ ...trusted, ...change }, index)).toBe(false);
  });
});

describe('allowed requests', () => {
  it('allows the renderer files, inline data images and DevTools', () => {
    expect(isAllowedRequest(index.href, rendererDir)).toBe(true);
    expect(isAllowedRequest(new URL('assets/index-abc.js', index).href, rendererDir)).toBe(true);
    expect(isAllowedRequest('data:image/png;base64,AAAA', rendererDir)).toBe(true);
    expect(isAllowedRequest('devtools://devtools/bundled/inspector.html', rendererDir)).toBe(true);
  });

  it.each([
    'https://example.com/tracker.js',
    'http://127.0.0.1:8080/',
    'ws://localhost:1234/',
    'file:///etc/passwd',
    'file:///opt/Sluice/resources/app.asar/dist/renderer-evil/x.js',
    'file:///opt/Sluice/resources/app.asar/dist/renderer/../main/main.cjs',
    'file:///opt/Sluice/resources/app.asar/dist/renderer/%2e%2e/main/main.cjs',
    'javascript:alert(1)',
    'nonsense',
  ])('refuses %s', (url) => {
    expect(isAllowedRequest(url, rendererDir)).toBe(false);
  });
});

describe('IPC bridge', () => {
  function fakeIpcMain(): IpcMainLike & {
    invoke(event: InvokeEventLike, ...args: unknown[]): unknown;
    channels: string[];
  } {
    const handlers = new Map<string, (event: InvokeEventLike, ...args: unknown[]) => unknown>();
    return {
      channels: [],
      handle(channel, listener) {
        this.channels.push(channel);
        handlers.set(channel, listener);
      },
      removeHandler(channel) {
        handlers.delete(channel);
      },
      invoke(event, ...args) {
        const handler = handlers.get(IPC_INVOKE);
        if (!handler) throw new Error('no handler');
        return handler(event, ...args);
      },
    };
  }
  const ourEvent: InvokeEventLike = { sender: { id: 3 }, senderFrame: { url: index.href, parent: null } };

  it('hands messages from our window to the backend, as they came', async () => {
    const ipc = fakeIpcMain();
    const backend = { handle: vi.fn(() => Promise.resolve('done')) };
    bridgeInvoke(ipc, backend, { expectedUrl: index, windowId: () => 3 });
    expect(ipc.channels).toEqual([IPC_INVOKE]);
    await expect(ipc.invoke(ourEvent, 'setSetting', { allowLan: true })).resolves.toBe('done');
    expect(backend.handle).toHaveBeenCalledWith('setSetting', { allowLan: true });
  });

  it('refuses messages from anywhere else before the backend sees them', async () => {
    const ipc = fakeIpcMain();
    const backend = { handle: vi.fn(() => Promise.resolve(undefined)) };
    const refused: string[] = [];
    bridgeInvoke(ipc, backend, {
      expectedUrl: index,
      windowId: () => 3,
      onRefused: (reason) => refused.push(reason),
    });
    const strangers: InvokeEventLike[] = [
      { sender: { id: 4 }, senderFrame: { url: index.href, parent: null } },
      { sender: { id: 3 }, senderFrame: { url: index.href, parent: {} } },
      { sender: { id: 3 }, senderFrame: { url: 'https://evil.example/', parent: null } },
      { sender: { id: 3 }, senderFrame: null },
    ];
    for (const event of strangers)
      await expect(ipc.invoke(event, 'connect', {})).rejects.toThrow(REFUSED_MESSAGE);
    expect(backend.handle).not.toHaveBeenCalled();
    expect(refused).toHaveLength(strangers.length);
  });

  it('refuses everything while there is no window', async () => {
    const ipc = fakeIpcMain();
    const backend = { handle: vi.fn(() => Promise.resolve(undefined)) };
    bridgeInvoke(ipc, backend, { expectedUrl: index, windowId: () => undefined });
    await expect(ipc.invoke(ourEvent, 'connect', {})).rejects.toThrow(REFUSED_MESSAGE);
  });

  it('passes the backend’s own error message through', async () => {
    const ipc = fakeIpcMain();
    bridgeInvoke(
      ipc,
      { handle: () => Promise.reject(new Error('no relay matches the location')) },
      { expectedUrl: index, windowId: () => 3 },
    );
    await expect(ipc.invoke(ourEvent, 'connect', {})).rejects.toThrow('no relay matches the location');
  });

  it('sends state patches to a live window only', () => {
    const send = vi.fn();
    sendPatch({ isDestroyed: () => false, send }, { trayAvailable: false });
    expect(send).toHaveBeenCalledWith(IPC_STATE, { trayAvailable: false });
    sendPatch({ isDestroyed: () => true, send }, { trayAvailable: true });
    sendPatch(undefined, { trayAvailable: true });
    expect(send).toHaveBeenCalledTimes(1);
  });
});
