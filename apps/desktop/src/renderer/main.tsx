// Entry point. Everything the renderer knows comes through window.sluice; it uses nothing else.
import { createRoot } from 'react-dom/client';
import { createRenderer } from './root';

function favouritesStorage(): Storage | undefined {
  try {
    return window.localStorage;
  } catch {
    // Storage refused (e.g. an opaque origin): favourites then last only as long as the window.
    return undefined;
  }
}

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');
const storage = favouritesStorage();
const renderer = createRenderer(window.sluice, storage ? { storage } : {});
createRoot(container).render(renderer.element);
