import * as assert from 'assert';
import { PNG } from 'pngjs';
import type { SaliencyResult } from '../../../src/protocol/saliency';
import { decodePngDataUri, pngDataUri } from '../../../src/engine/data/encode';
import { heatmapPng } from '../../../src/cli/heatmap';
import { renderOverlayPng } from '../../../src/extension/explain/overlayPng';
import {
  BASE_BRIGHTNESS,
  colorAt,
  composite,
  pixelDifference,
  cssGradient,
  defaultSigned,
  diverging,
  enlargeFactor,
  featureGrid,
  featureValues,
  heatmapRGBA,
  lightness,
  renderHeatmap,
  resolveColormap,
  robustScale,
  spatialLayout,
  toGrid,
  VIRIDIS,
  viridis,
  type Grid,
} from '../../../src/shared/heatmap';
import { HEATMAP_COLORMAPS } from '../../../src/protocol/webview';

function pixel(png: { data: Uint8Array | Uint8ClampedArray | Buffer; width: number }, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(i, i + 4));
}

const grid = (values: number[], height: number, width: number): Grid => ({ values: Float64Array.from(values), height, width });

describe('shared heatmap: colormaps', () => {
  it('viridis: 256 entries from dark purple-blue to yellow, lightness rising monotonically', () => {
    assert.strictEqual(VIRIDIS.length, 256);
    assert.deepStrictEqual(viridis(0), [0x44, 0x01, 0x54]);
    assert.deepStrictEqual(viridis(1), [0xfd, 0xe7, 0x25]);
    assert.deepStrictEqual(viridis(-3), viridis(0), 'clamped');
    assert.deepStrictEqual(viridis(NaN), viridis(0));
    assert.deepStrictEqual(colorAt('viridis', 0.5), viridis(0.5), 'the panel uses the exact table too');
    // 8-bit rounding leaves dips of at most 0.05 L* between neighbours; over 4 entries it always rises.
    for (let i = 1; i < 256; i++) {
      assert.ok(lightness(VIRIDIS[i]) > lightness(VIRIDIS[i - 1]) - 0.05, `L* falls at ${i}`);
      if (i >= 4) assert.ok(lightness(VIRIDIS[i]) > lightness(VIRIDIS[i - 4]), `L* does not rise over ${i - 4}..${i}`);
    }
    const [l0, l1] = [lightness(VIRIDIS[0]), lightness(VIRIDIS[255])];
    assert.ok(l0 < 20 && l1 > 85, `${l0}, ${l1}`);
  });

  it('blue-white-red: blue at −1, near-white at 0, red at +1, symmetric in lightness', () => {
    assert.deepStrictEqual(diverging(0), [0x21, 0x66, 0xac]);
    assert.deepStrictEqual(diverging(0.5), [0xf7, 0xf7, 0xf7]);
    assert.deepStrictEqual(diverging(1), [0xb2, 0x18, 0x2b]);
    assert.deepStrictEqual(colorAt('blue-white-red', 0.25), diverging(0.25));
    assert.ok(diverging(0)[2] > diverging(0)[0] && diverging(1)[0] > diverging(1)[2], 'blue below zero, red above');
    for (let i = 0; i < 20; i++) {
      const [a, b] = [lightness(diverging(i / 40)), lightness(diverging((i + 1) / 40))];
      const [c, d] = [lightness(diverging(0.5 + i / 40)), lightness(diverging(0.5 + (i + 1) / 40))];
      assert.ok(a <= b && c >= d, `at ${i}`);
    }
  });

  it('every colormap the panel offers resolves and draws a legend', () => {
    for (const choice of HEATMAP_COLORMAPS) {
      for (const signed of [false, true]) {
        const name = resolveColormap(choice, signed);
        assert.ok(cssGradient(name).startsWith('linear-gradient(to right, rgb('), name);
        for (const t of [0, 0.3, 1, NaN]) assert.ok(colorAt(name, t).every((c) => Number.isInteger(c) && c >= 0 && c <= 255), `${name} at ${t}`);
      }
    }
    assert.strictEqual(resolveColormap('auto', false), 'viridis');
    assert.strictEqual(resolveColormap('auto', true), 'blue-white-red');
    assert.strictEqual(resolveColormap('inferno', true), 'inferno');
    assert.deepStrictEqual([colorAt('gray', 0), colorAt('gray', 1)], [[0, 0, 0], [255, 255, 255]]);
    assert.deepStrictEqual(colorAt('inferno', 0), [0, 0, 4]);
  });
});

describe('shared heatmap: grids', () => {
  it('spatialLayout: [H, W], [H, W, C], [C, H, W], leading 1s dropped; null otherwise', () => {
    assert.deepStrictEqual(spatialLayout([28, 28]), { height: 28, width: 28, channels: 1, channelsLast: true });
    assert.deepStrictEqual(spatialLayout([1, 32, 24, 3]), { height: 32, width: 24, channels: 3, channelsLast: true });
    assert.deepStrictEqual(spatialLayout([3, 32, 24]), { height: 32, width: 24, channels: 3, channelsLast: false });
    assert.deepStrictEqual(spatialLayout([7, 7]), { height: 7, width: 7, channels: 1, channelsLast: true }, 'Grad-CAM at its layer');
    assert.strictEqual(spatialLayout([4]), null, 'tabular');
    assert.strictEqual(spatialLayout([1, 4]), null, 'one tabular row');
    assert.strictEqual(spatialLayout([8, 8, 16]), null, 'too many channels');
    assert.strictEqual(spatialLayout([2, 0]), null);
    assert.strictEqual(spatialLayout([2.5, 2]), null);
  });

  it('spatialLayout: a flat attribution is laid out by the image size the model sees', () => {
    assert.deepStrictEqual(spatialLayout([12], { height: 2, width: 2 }), { height: 2, width: 2, channels: 3, channelsLast: true });
    assert.strictEqual(spatialLayout([12]), null);
    assert.strictEqual(spatialLayout([10], { height: 2, width: 2 }), null);
  });

  it('toGrid sums channels signed or absolute, in either channel order, and zeroes non-finite values', () => {
    const last = { shape: [2, 2, 2], data: [1, -3, 2, 2, 0, 0, NaN, 5] };
    assert.deepStrictEqual(Array.from(toGrid(last, true)!.values), [-2, 4, 0, 5]);
    assert.deepStrictEqual(Array.from(toGrid(last, false)!.values), [4, 4, 0, 5]);
    // [C, H, W] with W > 4 so it is not read as channels last.
    const first = { shape: [2, 5, 5], data: Array.from({ length: 50 }, (_, i) => (i < 25 ? 1 : -3)) };
    const g = toGrid(first, true)!;
    assert.deepStrictEqual([g.height, g.width, g.values[0], g.values[24]], [5, 5, -2, -2]);
    assert.strictEqual(toGrid({ shape: [2, 2, 2], data: [1, 2, 3] }, true), null, 'data does not match the shape');
    assert.strictEqual(toGrid({ shape: [4], data: [1, 2, 3, 4] }, true), null);
  });

  it('featureValues and featureGrid keep tabular attributions in input order', () => {
    const attr = { shape: [4], data: [1, -2, Infinity, 0.5] };
    assert.deepStrictEqual(featureValues(attr, true), [1, -2, 0, 0.5]);
    assert.deepStrictEqual(featureValues(attr, false), [1, 2, 0, 0.5]);
    const g = featureGrid({ shape: [2, 3], data: [1, 2, 3, 4, 5, 6] }, true);
    assert.deepStrictEqual([g.height, g.width, Array.from(g.values)], [2, 3, [1, 2, 3, 4, 5, 6]]);
  });

  it('defaultSigned: magnitudes for gradients and SmoothGrad, signed when other maps go negative', () => {
    assert.strictEqual(defaultSigned('gradient', [-1, 1]), false);
    assert.strictEqual(defaultSigned('smoothgrad', [-1, 1]), false);
    assert.strictEqual(defaultSigned('integrated-gradients', [-1, 1]), true);
    assert.strictEqual(defaultSigned('grad-cam', [0, 1]), false);
  });
});

describe('shared heatmap: pixels', () => {
  it('colours normalise by |value|: zero at the start (absolute) or the white middle (signed)', () => {
    const abs = heatmapRGBA(toGrid({ shape: [2, 2], data: [0, -2, 1, 2] }, false)!, { colormap: 'auto', signed: false, opacity: 1, overlay: false });
    assert.strictEqual(abs.colormap, 'viridis');
    assert.deepStrictEqual(pixel({ data: abs.rgba, width: 4 }, 0, 0), [...viridis(0), 255]);
    assert.deepStrictEqual(pixel({ data: abs.rgba, width: 4 }, 1, 0), [...viridis(1), 255], 'absolute grids hold |value|');
    assert.deepStrictEqual(pixel({ data: abs.rgba, width: 4 }, 2, 0), [...viridis(0.5), 255]);
    assert.deepStrictEqual(pixel({ data: abs.rgba, width: 4 }, 3, 0), [...viridis(1), 255]);
    const signed = heatmapRGBA(grid([0, -2, 2], 1, 3), { colormap: 'auto', signed: true, opacity: 1, overlay: false });
    assert.deepStrictEqual(pixel({ data: signed.rgba, width: 3 }, 0, 0), [...diverging(0.5), 255]);
    assert.deepStrictEqual(pixel({ data: signed.rgba, width: 3 }, 1, 0), [...diverging(0), 255]);
    assert.deepStrictEqual(pixel({ data: signed.rgba, width: 3 }, 2, 0), [...diverging(1), 255]);
    const zeros = heatmapRGBA(grid([0, 0], 1, 2), { colormap: 'auto', signed: false, opacity: 1, overlay: false });
    assert.deepStrictEqual([zeros.scale, pixel({ data: zeros.rgba, width: 2 }, 0, 0)], [0, [...viridis(0), 255]], 'all-zero maps do not divide by zero');
  });

  it('one outlier does not wash out the map: normalised by the 99th percentile of |value|', () => {
    const values = Array.from({ length: 200 }, (_, i) => (i === 0 ? 1000 : 1));
    assert.strictEqual(robustScale(values), 1);
    const heat = heatmapRGBA(grid(values, 1, 200), { colormap: 'viridis', signed: false, opacity: 1, overlay: false });
    assert.deepStrictEqual(pixel({ data: heat.rgba, width: 200 }, 1, 0), [...viridis(1), 255], 'ordinary values reach the top of the colormap');
    // Sparse maps (fewer than 1% non-zero) fall back to the largest |value| instead of showing nothing.
    assert.strictEqual(robustScale(Array.from({ length: 200 }, (_, i) => (i === 0 ? -4 : 0))), 4);
    assert.strictEqual(robustScale([NaN, Infinity, 2]), 2);
    assert.strictEqual(robustScale([]), 0);
  });

  it('over an input, weak attributions are transparent: zero leaves the (dimmed) input as it is', () => {
    const base = { width: 3, height: 1, rgba: Uint8Array.from([200, 200, 200, 255, 200, 200, 200, 255, 200, 200, 200, 255]) };
    const heat = heatmapRGBA(grid([1, 0, -1], 1, 3), { colormap: 'auto', signed: true, opacity: 1, overlay: true });
    assert.deepStrictEqual(Array.from(heat.rgba.filter((_, i) => i % 4 === 3)), [255, 0, 255]);
    const out = composite(base, { width: 3, height: 1, rgba: heat.rgba }, 3, 1);
    assert.deepStrictEqual(pixel({ data: out, width: 3 }, 0, 0), [...diverging(1), 255]);
    assert.deepStrictEqual(pixel({ data: out, width: 3 }, 1, 0), [200 * BASE_BRIGHTNESS, 200 * BASE_BRIGHTNESS, 200 * BASE_BRIGHTNESS, 255]);
    assert.deepStrictEqual(pixel({ data: out, width: 3 }, 2, 0), [...diverging(0), 255]);
    const undimmed = composite(base, { width: 3, height: 1, rgba: heat.rgba }, 3, 1, 1);
    assert.deepStrictEqual(pixel({ data: undimmed, width: 3 }, 1, 0), [200, 200, 200, 255], 'zero attribution keeps the input pixel');
    // Absolute maps fade with √(value / scale), scaled by the opacity.
    const half = heatmapRGBA(grid([1, 0.25], 1, 2), { colormap: 'viridis', signed: false, opacity: 0.5, overlay: true });
    assert.deepStrictEqual([half.rgba[3], half.rgba[7]], [128, 64]);
  });

  it('composite enlarges by nearest neighbour, a coarser overlay too (its cells as they are, not smoothed)', () => {
    const over = { width: 2, height: 1, rgba: Uint8ClampedArray.from([0, 0, 0, 255, 200, 100, 0, 255]) };
    const alone = composite(null, over, 4, 2);
    assert.deepStrictEqual([pixel({ data: alone, width: 4 }, 1, 1), pixel({ data: alone, width: 4 }, 2, 0)], [[0, 0, 0, 255], [200, 100, 0, 255]]);
    const base = { width: 4, height: 1, rgba: new Uint8Array(16).fill(255) };
    const coarse = composite(base, over, 4, 1);
    const reds = [0, 1, 2, 3].map((x) => pixel({ data: coarse, width: 4 }, x, 0)[0]);
    assert.deepStrictEqual(reds, [0, 0, 200, 200], 'each cell covers its half, edges sharp');
  });

  it('renderHeatmap and enlargeFactor: whole factors that bring the longer side to the minimum', () => {
    assert.strictEqual(enlargeFactor(28, 28, 224), 8);
    assert.strictEqual(enlargeFactor(3, 2, 224), 75);
    assert.strictEqual(enlargeFactor(300, 200, 224), 1);
    assert.strictEqual(enlargeFactor(1, 1, 10000), 4096, 'capped');
    const image = renderHeatmap(grid([0, 1], 1, 2), null, { colormap: 'gray', signed: false, opacity: 0.3 }, 10);
    assert.deepStrictEqual([image.width, image.height], [10, 5]);
    assert.deepStrictEqual(pixel({ data: image.rgba, width: 10 }, 9, 4), [255, 255, 255, 255], 'no input: opaque whatever the opacity');
  });
});

describe('shared heatmap: PNGs', () => {
  function result(over: Partial<SaliencyResult>): SaliencyResult {
    return {
      method: 'gradient',
      output: { index: 0, name: 'probs', kind: 'softmax' },
      target: 0,
      targetLabel: '0',
      prediction: [],
      targetProbability: 1,
      attribution: { shape: [2, 3, 1], data: [0, 0, 4, 0, 0, 0] },
      summary: '',
      input: { path: 'x.png', kind: 'image', description: '' },
      options: { modelPath: 'model.json', inputPath: 'x.png', method: 'gradient' },
      backend: 'cpu',
      ms: 0,
      ...over,
    };
  }
  const black = { width: 3, height: 2, rgba: new Uint8Array(3 * 2 * 4).fill(0) };
  for (let i = 3; i < black.rgba.length; i += 4) black.rgba[i] = 255;
  const withPreview = (extra: Partial<SaliencyResult> = {}): SaliencyResult => result({ input: { path: 'x.png', kind: 'image', description: '', preview: pngDataUri(black) }, ...extra });

  it('heatmapPng decodes to the enlarged preview size with known pixel colours', () => {
    const png = PNG.sync.read(heatmapPng(withPreview(), { opacity: 1 }));
    // Enlarged pixel by pixel so the longer side reaches 224: ×75.
    assert.deepStrictEqual([png.width, png.height], [3 * 75, 2 * 75]);
    assert.deepStrictEqual(pixel(png, 2 * 75, 0), [...viridis(1), 255]);
    assert.deepStrictEqual(pixel(png, 2 * 75 + 74, 74), [...viridis(1), 255]);
    assert.deepStrictEqual(pixel(png, 0, 75), [0, 0, 0, 255], 'zero attribution: the input shows through');
    // Default opacity 0.7 over black.
    const dim = PNG.sync.read(heatmapPng(withPreview()));
    assert.deepStrictEqual(pixel(dim, 2 * 75, 0), [...viridis(1).map((c) => Math.round((c * Math.round(0.7 * 255)) / 255)), 255]);
  });

  it('heatmapPng lays out a flat attribution by the preview, and picks signed maps for signed methods', () => {
    const flat = PNG.sync.read(heatmapPng(withPreview({ attribution: { shape: [6], data: [0, 0, 4, 0, 0, 0] } }), { opacity: 1 }));
    assert.deepStrictEqual([flat.width, flat.height, pixel(flat, 2 * 75, 0)], [225, 150, [...viridis(1), 255]]);
    const signed = PNG.sync.read(heatmapPng(withPreview({ method: 'integrated-gradients', attribution: { shape: [2, 3, 1], data: [0, 0, 4, -4, 0, 0] } }), { opacity: 1 }));
    assert.deepStrictEqual(pixel(signed, 2 * 75, 0), [...diverging(1), 255]);
    assert.deepStrictEqual(pixel(signed, 0, 75), [...diverging(0), 255]);
  });

  it('heatmapPng draws tabular attributions as cells', () => {
    const png = PNG.sync.read(heatmapPng(result({ method: 'integrated-gradients', attribution: { shape: [4], data: [1, -2, 0, 0.5] }, input: { path: 'x.csv', kind: 'tabular', description: '' } })));
    assert.deepStrictEqual([png.width, png.height], [4 * 24, 24]);
    assert.deepStrictEqual(pixel(png, 24 + 3, 3), [...diverging(0), 255]);
    assert.deepStrictEqual(pixel(png, 2 * 24 + 3, 3), [...diverging(0.5), 255]);
  });

  it('the host PNG is the same rendering: sized for hovers, undefined for non-spatial attributions', () => {
    const bytes = renderOverlayPng(withPreview(), 128, { colormap: 'auto', signed: false, opacity: 1 });
    const png = PNG.sync.read(bytes!);
    assert.deepStrictEqual([png.width, png.height], [3 * 43, 2 * 43]);
    assert.deepStrictEqual(pixel(png, 2 * 43, 0), [...viridis(1), 255]);
    assert.strictEqual(renderOverlayPng(result({ attribution: { shape: [4], data: [1, 2, 3, 4] } }), 128), undefined);
  });

  it('PNG data URIs round-trip', () => {
    const preview = { width: 2, height: 1, rgba: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]) };
    const back = decodePngDataUri(pngDataUri(preview));
    assert.deepStrictEqual([back.width, back.height, Array.from(back.rgba)], [2, 1, Array.from(preview.rgba)]);
  });
});

describe('shared/heatmap/difference: the difference map of two images', () => {
  it('is the change of each pixel\'s mean channel value, after − before', () => {
    const before = { width: 2, height: 1, rgba: Uint8ClampedArray.from([0, 0, 0, 255, 90, 120, 150, 255]) };
    const after = { width: 2, height: 1, rgba: Uint8ClampedArray.from([255, 255, 255, 255, 0, 30, 60, 0]) };
    const grid = pixelDifference(before, after);
    assert.deepStrictEqual([grid.width, grid.height, [...grid.values]], [2, 1, [255, -90]]);
    assert.throws(() => pixelDifference(before, { ...after, width: 1, height: 2 }), /differ in size: 2×1 and 1×2/);
  });
});
