// The browser side of the test shell: `window.sluice` over a WebSocket, the same API the preload gives
// the renderer in Electron. Served as a classic script before the app's own module script.
export const BRIDGE_SCRIPT = `(() => {
  const listeners = new Set();
  const pending = new Map();
  let nextId = 1;
  const ws = new WebSocket('ws://' + location.host + '/bridge');
  const ready = new Promise((resolve) => ws.addEventListener('open', resolve, { once: true }));
  ws.addEventListener('message', (message) => {
    const msg = JSON.parse(message.data);
    if (msg.type === 'state') {
      for (const listener of listeners) listener(msg.patch);
      return;
    }
    const call = pending.get(msg.id);
    if (!call) return;
    pending.delete(msg.id);
    if (msg.error !== undefined) call.reject(new Error(msg.error));
    else call.resolve(msg.result);
  });
  window.sluice = Object.freeze({
    invoke: async (channel, request) => {
      await ready;
      const id = nextId++;
      return new Promise((resolve, reject) => {
        pending.set(id, { resolve, reject });
        ws.send(JSON.stringify({ id, channel, request }));
      });
    },
    onState: (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  });
})();
`;
