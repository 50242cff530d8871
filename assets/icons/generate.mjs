// Draws Sluice's PNG icons (tray states in two panel variants, and the app icon) with a tiny PNG encoder,
// so the icons are reproducible from this file alone: `node assets/icons/generate.mjs [outDir]`.
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

/** Tray icon states, panel variants and pixel sizes (src/main/tray-icons.ts names the same files). */
export const TRAY_STATES = ['disconnected', 'connecting', 'connected', 'blocked'];
/** `dark` is drawn for dark panels (light glyph), `light` for light panels (dark glyph). */
export const TRAY_VARIANTS = ['light', 'dark'];
export const TRAY_SIZES = [16, 22, 32, 44, 64];
/** `colour` fills the shield by state; `monochrome` draws in the panel's ink only (symbolic panels). */
export const TRAY_STYLES = ['colour', 'monochrome'];
/** App icon sizes, named NxN.png as electron-builder's Linux icon set wants them. */
export const APP_SIZES = [16, 32, 48, 64, 128, 256, 512];

// ---- PNG encoding -------------------------------------------------------------------------------------

const CRC_TABLE = (() => {
  const table = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c >>> 0;
  }
  return table;
})();

function crc32(bytes) {
  let c = 0xffffffff;
  for (const byte of bytes) c = CRC_TABLE[(c ^ byte) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type, data) {
  const head = Buffer.alloc(8);
  head.writeUInt32BE(data.length, 0);
  head.write(type, 4, 'ascii');
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), data])), 0);
  return Buffer.concat([head, data, crc]);
}

/** RGBA pixels (width*height*4 bytes, straight alpha) to a PNG file. */
export function encodePng(width, height, rgba) {
  const header = Buffer.alloc(13);
  header.writeUInt32BE(width, 0);
  header.writeUInt32BE(height, 4);
  header[8] = 8; // bits per channel
  header[9] = 6; // colour type: RGBA
  // Rows each start with filter type 0 (none): simple, and the icons are tiny anyway.
  const raw = Buffer.alloc(height * (1 + width * 4));
  for (let y = 0; y < height; y++) {
    Buffer.from(rgba.buffer, rgba.byteOffset + y * width * 4, width * 4).copy(raw, y * (1 + width * 4) + 1);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Drawing ------------------------------------------------------------------------------------------
// Shapes are predicates over the unit square; each pixel is supersampled so edges are antialiased.

const SUPERSAMPLE = 5;

function hex(colour) {
  const n = Number.parseInt(colour.slice(1), 16);
  return [(n >> 16) & 255, (n >> 8) & 255, n & 255];
}

/** Paint layers ({ inside(x, y), colour(x, y) -> [r, g, b] }) bottom to top onto a transparent canvas. */
function render(size, layers) {
  const rgba = new Uint8Array(size * size * 4);
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0;
      let g = 0;
      let b = 0;
      let a = 0;
      for (const layer of layers) {
        let hits = 0;
        for (let sy = 0; sy < SUPERSAMPLE; sy++) {
          for (let sx = 0; sx < SUPERSAMPLE; sx++) {
            const x = (px + (sx + 0.5) / SUPERSAMPLE) / size;
            const y = (py + (sy + 0.5) / SUPERSAMPLE) / size;
            if (layer.inside(x, y)) hits++;
          }
        }
        if (hits === 0) continue;
        const coverage = hits / (SUPERSAMPLE * SUPERSAMPLE);
        const [lr, lg, lb] = layer.colour((px + 0.5) / size, (py + 0.5) / size);
        // "Over" compositing with straight alpha.
        const outA = coverage + a * (1 - coverage);
        r = (lr * coverage + r * a * (1 - coverage)) / outA;
        g = (lg * coverage + g * a * (1 - coverage)) / outA;
        b = (lb * coverage + b * a * (1 - coverage)) / outA;
        a = outA;
      }
      const i = (py * size + px) * 4;
      rgba[i] = Math.round(r);
      rgba[i + 1] = Math.round(g);
      rgba[i + 2] = Math.round(b);
      rgba[i + 3] = Math.round(a * 255);
    }
  }
  return rgba;
}

const solid = (colour) => {
  const rgb = hex(colour);
  return () => rgb;
};

/** A shield: flat top, straight sides, then a curve down to a point. `inset` shrinks it evenly. */
function shield(inset = 0) {
  const top = 0.06 + inset;
  const shoulder = 0.42;
  const tip = 0.96 - inset * 1.6;
  const half = 0.41 - inset;
  return (x, y) => {
    if (y < top || y > tip) return false;
    const dx = Math.abs(x - 0.5);
    if (y <= shoulder) return dx <= half;
    // A cosine flank bulges outwards below the shoulder and still meets in a point at the tip.
    const t = (y - shoulder) / (tip - shoulder);
    return dx <= half * Math.cos((t * Math.PI) / 2);
  };
}

function distanceToSegment(x, y, [ax, ay], [bx, by]) {
  const vx = bx - ax;
  const vy = by - ay;
  const t = Math.max(0, Math.min(1, ((x - ax) * vx + (y - ay) * vy) / (vx * vx + vy * vy)));
  return Math.hypot(x - (ax + t * vx), y - (ay + t * vy));
}

const polyline = (points, width) => (x, y) =>
  points.slice(1).some((point, i) => distanceToSegment(x, y, points[i], point) <= width / 2);

const circle = (cx, cy, radius) => (x, y) => Math.hypot(x - cx, y - cy) <= radius;

const rect = (x0, y0, x1, y1) => (x, y) => x >= x0 && x <= x1 && y >= y0 && y <= y1;

const union =
  (...shapes) =>
  (x, y) =>
    shapes.some((shape) => shape(x, y));

const minus = (shape, hole) => (x, y) => shape(x, y) && !hole(x, y);

// State colours: each state also has its own glyph, so colour is never the only cue.
const STATE_FILL = {
  connecting: '#f2a900',
  connected: '#3fae49',
  blocked: '#e0423a',
};
/** Outline colour per panel variant: dark ink on light panels, light ink on dark panels. */
const INK = { light: '#2b2b2b', dark: '#f2f2f2' };

export function drawTrayIcon(state, variant, size, style = 'colour') {
  // Thin strokes vanish at 16 px: keep at least ~1.3 px of outline.
  const stroke = Math.max(0.085, 1.3 / size);
  const outer = shield();
  const inner = shield(stroke);
  const layers = [];
  if (state === 'disconnected') {
    // Hollow shield: nothing protects the traffic.
    layers.push({ inside: minus(outer, inner), colour: solid(INK[variant]) });
    return render(size, layers);
  }
  layers.push({ inside: outer, colour: solid(INK[variant]) });
  // Monochrome: the shield in ink with the glyph in the panel's own shade, so only the shape tells.
  const mono = style === 'monochrome';
  layers.push({ inside: inner, colour: solid(mono ? INK[variant] : STATE_FILL[state]) });
  const glyph = mono ? INK[variant === 'light' ? 'dark' : 'light'] : '#ffffff';
  const weight = Math.max(0.11, 1.6 / size);
  if (state === 'connected') {
    layers.push({
      inside: polyline(
        [
          [0.31, 0.47],
          [0.45, 0.62],
          [0.7, 0.33],
        ],
        weight,
      ),
      colour: solid(glyph),
    });
  } else if (state === 'connecting') {
    const r = Math.max(0.055, 0.9 / size);
    layers.push({
      inside: union(circle(0.32, 0.45, r), circle(0.5, 0.45, r), circle(0.68, 0.45, r)),
      colour: solid(glyph),
    });
  } else {
    layers.push({ inside: rect(0.28, 0.45 - weight / 2, 0.72, 0.45 + weight / 2), colour: solid(glyph) });
  }
  return render(size, layers);
}

function roundedSquare(margin, radius) {
  return (x, y) => {
    const lo = margin + radius;
    const hi = 1 - margin - radius;
    const cx = Math.min(Math.max(x, lo), hi);
    const cy = Math.min(Math.max(y, lo), hi);
    return (
      x >= margin && x <= 1 - margin && y >= margin && y <= 1 - margin && Math.hypot(x - cx, y - cy) <= radius
    );
  };
}

/** A wave band across the shield: the water held back by a sluice gate. */
function wave(centre, amplitude, thickness) {
  return (x, y) => Math.abs(y - (centre + amplitude * Math.sin(x * Math.PI * 4))) <= thickness / 2;
}

export function drawAppIcon(size) {
  const [r0, g0, b0] = hex('#0d3b4c');
  const [r1, g1, b1] = hex('#16808f');
  const gradient = (_x, y) => [r0 + (r1 - r0) * y, g0 + (g1 - g0) * y, b0 + (b1 - b0) * y];
  // Small sizes get a larger shield relative to the tile so it stays legible.
  const scale = size <= 32 ? 0.78 : 0.66;
  const inShield = (shape) => (x, y) => shape((x - 0.5) / scale + 0.5, (y - 0.52) / scale + 0.5);
  const body = inShield(shield());
  const waterColour = '#16808f';
  return render(size, [
    { inside: roundedSquare(0.04, 0.2), colour: gradient },
    { inside: body, colour: solid('#f4fbfc') },
    {
      inside: (x, y) =>
        body(x, y) &&
        inShield(union(wave(0.42, 0.025, 0.07), wave(0.58, 0.025, 0.07), wave(0.74, 0.02, 0.06)))(x, y),
      colour: solid(waterColour),
    },
  ]);
}

export function trayIconName(state, variant, size, style = 'colour') {
  return style === 'monochrome' ? `${state}-${variant}-mono-${size}.png` : `${state}-${variant}-${size}.png`;
}

/** Write every icon under `outDir` (tray/ and app/). */
export function generateIcons(outDir) {
  const written = [];
  mkdirSync(join(outDir, 'tray'), { recursive: true });
  mkdirSync(join(outDir, 'app'), { recursive: true });
  for (const state of TRAY_STATES) {
    for (const variant of TRAY_VARIANTS) {
      for (const style of TRAY_STYLES) {
        for (const size of TRAY_SIZES) {
          const file = join(outDir, 'tray', trayIconName(state, variant, size, style));
          writeFileSync(file, encodePng(size, size, drawTrayIcon(state, variant, size, style)));
          written.push(file);
        }
      }
    }
  }
  for (const size of APP_SIZES) {
    const file = join(outDir, 'app', `${size}x${size}.png`);
    writeFileSync(file, encodePng(size, size, drawAppIcon(size)));
    written.push(file);
  }
  return written;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const outDir = process.argv[2] ?? dirname(fileURLToPath(import.meta.url));
  const written = generateIcons(outDir);
  process.stdout.write(`wrote ${written.length} icons under ${outDir}\n`);
}
