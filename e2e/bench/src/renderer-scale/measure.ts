// The renderer at scale, in Chromium: how long the Select location view takes to first paint its list,
// and how long each keystroke of a search takes until the list shows it painted, against a relay list
// of thousands (the fixture scaled). Also the size of the renderer's JavaScript, gzipped.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { chromium, type Page } from 'playwright-core';
import { serveFixturePage } from './fixture-page.js';
import { scaledRelayList } from './scaled-relays.js';

export const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

/** Searches typed a key at a time: countries, cities, hostnames and partial words, as people type. */
export const SEARCHES = ['sweden', 'gothenburg', 'se-got', 'new york', 'us-nyc-wg-1', 'de', 'zur'];

export interface RendererScaleFigures {
  relays: number;
  /** Select location opened to the list painted, per open (ms). */
  openMs: number[];
  /** One keystroke of a search until the list shows it, laid out (ms). */
  keystrokeMs: number[];
  /** The same until the frame after it has run (painted), which adds the wait for that frame (ms). */
  keystrokePaintedMs: number[];
  /** The renderer's JavaScript, gzipped, in bytes (all chunks). */
  bundleGzipBytes: number;
}

export function rendererBundleGzipBytes(rendererDir: string): number {
  const assets = join(rendererDir, 'assets');
  return readdirSync(assets)
    .filter((name) => name.endsWith('.js'))
    .reduce((sum, name) => sum + gzipSync(readFileSync(join(assets, name)), { level: 9 }).length, 0);
}

// Runs in the page: helpers the timing functions below share (no imports there).
const PAGE_HELPERS = `
  window.__sluiceWait = (test) => new Promise((resolve) => {
    if (test()) return resolve();
    const observer = new MutationObserver(() => { if (test()) { observer.disconnect(); resolve(); } });
    observer.observe(document.body, { subtree: true, childList: true, attributes: true });
  });
  // After the next paint: a frame, then a task (the frame's paint has happened by then).
  window.__sluicePainted = () => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));
`;

// The timed parts run in the page, as source text: the bench is not compiled against the DOM.
const TIME_OPEN = `async () => {
  const button = [...document.querySelectorAll('button')].find((b) => b.textContent.startsWith('Location'));
  if (!button) throw new Error('no Location button');
  const started = performance.now();
  button.click();
  await window.__sluiceWait(() => document.querySelector('ul[aria-label="Countries"] li') !== null);
  await window.__sluicePainted();
  return performance.now() - started;
}`;

// A keystroke is timed from its input event until the list shows the new search, laid out (layout
// forced, so its cost counts); painting then happens in the next frame, whose wait (up to a frame,
// whatever the app does) is timed apart.
const TIME_KEYSTROKES = `async (text) => {
  const input = document.querySelector('input[type="search"]');
  const setValue = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value')?.set;
  if (!input || !setValue) throw new Error('no search box');
  const type = async (value) => {
    const started = performance.now();
    setValue.call(input, value);
    input.dispatchEvent(new Event('input', { bubbles: true }));
    await window.__sluiceWait(() => document.querySelector('.location-list')?.getAttribute('data-query') === value);
    void document.body.offsetHeight;
    const laidOut = performance.now() - started;
    await window.__sluicePainted();
    return [laidOut, performance.now() - started];
  };
  const times = [];
  for (let length = 1; length <= text.length; length++) times.push(await type(text.slice(0, length)));
  await type('');
  return times;
}`;

async function timeOpen(page: Page): Promise<number> {
  const ms: unknown = await page.evaluate(`(${TIME_OPEN})()`);
  if (typeof ms !== 'number') throw new Error('the open was not timed');
  return ms;
}

const isPair = (value: unknown): value is [number, number] =>
  Array.isArray(value) && value.length === 2 && value.every((time) => typeof time === 'number');

async function timeKeystrokes(page: Page, search: string): Promise<[number, number][]> {
  const times: unknown = await page.evaluate(`(${TIME_KEYSTROKES})(${JSON.stringify(search)})`);
  if (!Array.isArray(times) || !times.every(isPair)) throw new Error('the keystrokes were not timed');
  return times;
}

async function backToMain(page: Page): Promise<void> {
  await page.getByRole('button', { name: 'Back' }).click();
  await page.getByRole('heading', { name: 'Sluice', level: 1 }).waitFor();
}

export async function measureRendererScale(options: {
  rendererDir: string;
  fixture: unknown;
  relays: number;
  opens?: number;
  rounds?: number;
}): Promise<RendererScaleFigures> {
  const relayList = scaledRelayList(options.fixture, options.relays);
  const fixturePage = await serveFixturePage(options.rendererDir, relayList);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
  try {
    const page = await browser.newPage({ viewport: { width: 360, height: 600 } });
    await page.addInitScript(PAGE_HELPERS);
    await page.goto(fixturePage.url);
    await page.getByRole('heading', { name: 'Sluice', level: 1 }).waitFor();
    const openMs: number[] = [];
    const keystrokeMs: number[] = [];
    const keystrokePaintedMs: number[] = [];
    // The first open compiles and warms the code paths; it counts like the others (a user's first open).
    for (let open = 0; open < (options.opens ?? 10); open++) {
      openMs.push(await timeOpen(page));
      await backToMain(page);
    }
    await timeOpen(page);
    for (let round = 0; round < (options.rounds ?? 3); round++)
      for (const search of SEARCHES) {
        for (const [laidOut, painted] of await timeKeystrokes(page, search)) {
          keystrokeMs.push(laidOut);
          keystrokePaintedMs.push(painted);
        }
      }
    return {
      relays: options.relays,
      openMs,
      keystrokeMs,
      keystrokePaintedMs,
      bundleGzipBytes: rendererBundleGzipBytes(options.rendererDir),
    };
  } finally {
    await browser.close();
    await fixturePage.close();
  }
}
