// Builds the renderer into apps/desktop/dist/renderer. Relative asset URLs, because Electron loads the
// page from file://; no inline scripts or styles, because the page's CSP allows only 'self'.
//
// Deliberately no `import { defineConfig } from 'vite'`: this file is type-checked with the renderer,
// and vite's types pull in @types/node, which would let Node APIs typecheck in renderer code. The
// few options used are typed here instead.

interface RendererBuildConfig {
  root: string;
  base: string;
  publicDir: false;
  esbuild: { jsx: 'automatic' };
  build: {
    outDir: string;
    emptyOutDir: boolean;
    target: string;
    modulePreload: { polyfill: boolean };
    assetsInlineLimit: number;
    sourcemap: boolean;
  };
}

const config: RendererBuildConfig = {
  root: decodeURIComponent(new URL('.', import.meta.url).pathname),
  base: './',
  // No public/ folder: everything the page loads is bundled.
  publicDir: false,
  // React's automatic runtime (the tsconfig says react-jsx too; this covers vite versions that ignore it).
  esbuild: { jsx: 'automatic' },
  build: {
    outDir: '../../dist/renderer',
    emptyOutDir: true,
    target: 'chrome130',
    // Electron's Chromium supports modulepreload; the polyfill would only add code.
    modulePreload: { polyfill: false },
    // Keep assets as files rather than data: URLs, so the CSP has nothing unusual to allow.
    assetsInlineLimit: 0,
    sourcemap: false,
  },
};

export default config;
