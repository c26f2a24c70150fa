/**
 * A scatter plot as PNG bytes, drawn pixel by pixel: square axes with the same range on both (so
 * the dashed diagonal is y = x), ticks with values, axis titles, a note.
 */
import { encodePng } from '../../src/engine/data/encode';
import { ADVANCE, forEachLitPixel, GLYPH_HEIGHT } from './pixelFont';

export interface ScatterLabels {
  x: string;
  y: string;
  /** Printed in the top-left corner of the plot area (e.g. "r = 0.95"). */
  note?: string;
}

type Rgb = readonly [number, number, number];

const SIZE = 600;
const MARGIN = { left: 110, right: 30, top: 30, bottom: 90 };
const TEXT_SCALE = 2;
const TICKS = 5;
const BLACK: Rgb = [0, 0, 0];
const GREY: Rgb = [150, 150, 150];
const POINT: Rgb = [31, 95, 180];
const POINT_RADIUS = 5;

export function scatterPng(points: { x: number; y: number }[], labels: ScatterLabels): Buffer {
  const rgba = new Uint8Array(SIZE * SIZE * 4).fill(255);
  const set = (px: number, py: number, [r, g, b]: Rgb, alpha = 1) => {
    if (px < 0 || py < 0 || px >= SIZE || py >= SIZE) return;
    const k = (Math.round(py) * SIZE + Math.round(px)) * 4;
    rgba[k] = rgba[k] * (1 - alpha) + r * alpha;
    rgba[k + 1] = rgba[k + 1] * (1 - alpha) + g * alpha;
    rgba[k + 2] = rgba[k + 2] * (1 - alpha) + b * alpha;
  };
  const text = (s: string, px: number, py: number, vertical = false) =>
    forEachLitPixel(s, (c, r) => {
      for (let dy = 0; dy < TEXT_SCALE; dy++) {
        for (let dx = 0; dx < TEXT_SCALE; dx++) {
          // Vertical text reads bottom to top: columns run up from py, rows right from px.
          if (vertical) set(px + r * TEXT_SCALE + dy, py - c * TEXT_SCALE - dx, BLACK);
          else set(px + c * TEXT_SCALE + dx, py + r * TEXT_SCALE + dy, BLACK);
        }
      }
    });
  const textWidth = (s: string) => s.length * ADVANCE * TEXT_SCALE;

  const left = MARGIN.left;
  const right = SIZE - MARGIN.right;
  const top = MARGIN.top;
  const bottom = SIZE - MARGIN.bottom;
  // One range for both axes, covering every coordinate and 0, in whole ticks.
  const values = points.flatMap((p) => [p.x, p.y]);
  const lowest = Math.min(0, ...values);
  const highest = Math.max(0, ...values);
  const step = niceStep(Math.max(highest - lowest, Number.MIN_VALUE) / TICKS);
  const from = Math.floor(lowest / step - 0.05) * step;
  const to = Math.ceil(highest / step + 0.05) * step;
  const toX = (v: number) => left + ((v - from) / (to - from)) * (right - left);
  const toY = (v: number) => bottom - ((v - from) / (to - from)) * (bottom - top);

  // Dashed y = x, then the frame, ticks and tick values.
  for (let t = 0; t <= 1; t += 0.5 / (right - left)) {
    if (Math.floor(t * 60) % 2 === 0) set(left + t * (right - left), bottom - t * (bottom - top), GREY);
  }
  for (let px = left; px <= right; px++) [top, bottom].forEach((py) => set(px, py, BLACK));
  for (let py = top; py <= bottom; py++) [left, right].forEach((px) => set(px, py, BLACK));
  const decimals = Math.max(0, -Math.floor(Math.log10(step) + 1e-9));
  for (let v = from; v <= to + step / 2; v += step) {
    const label = Math.abs(v) < step / 2 ? '0' : v.toFixed(decimals);
    for (let k = 1; k <= 6; k++) {
      set(toX(v), bottom + k, BLACK);
      set(left - k, toY(v), BLACK);
    }
    text(label, toX(v) - textWidth(label) / 2, bottom + 12);
    text(label, left - 10 - textWidth(label), toY(v) - (GLYPH_HEIGHT * TEXT_SCALE) / 2);
  }
  text(labels.x, (left + right) / 2 - textWidth(labels.x) / 2, bottom + 50);
  text(labels.y, 20, (top + bottom) / 2 + textWidth(labels.y) / 2, true);
  if (labels.note) text(labels.note, left + 12, top + 12);

  for (const p of points) {
    const cx = toX(p.x);
    const cy = toY(p.y);
    for (let dy = -POINT_RADIUS; dy <= POINT_RADIUS; dy++) {
      for (let dx = -POINT_RADIUS; dx <= POINT_RADIUS; dx++) if (dx * dx + dy * dy <= POINT_RADIUS * POINT_RADIUS) set(cx + dx, cy + dy, POINT, 0.6);
    }
  }
  return encodePng({ width: SIZE, height: SIZE, rgba });
}

/** 1, 2 or 5 × 10^k, the smallest at least `raw`. */
function niceStep(raw: number): number {
  const power = 10 ** Math.floor(Math.log10(raw));
  return [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw * (1 - 1e-9)) as number;
}
