import * as assert from 'assert';
import { PNG } from 'pngjs';
import type { SaliencyResult } from '../../../../src/protocol/saliency';
import { decodePngDataUri, pngDataUri } from '../../../../src/engine/inputs/encode';
import { diverging, lightness, VIRIDIS, viridis } from '../../../../src/engine/render/colormap';
import { cells, colorize, defaultMode, heatmapPng, overlay } from '../../../../src/engine/render/heatmap';

function pixel(png: { data: Uint8Array | Buffer; width: number }, x: number, y: number): number[] {
  const i = (y * png.width + x) * 4;
  return Array.from(png.data.subarray(i, i + 4));
}

describe('colormaps', () => {
  it('viridis: 256 entries from dark purple-blue to yellow, lightness rising monotonically', () => {
    assert.strictEqual(VIRIDIS.length, 256);
    assert.deepStrictEqual(viridis(0), [0x44, 0x01, 0x54]);
    assert.deepStrictEqual(viridis(1), [0xfd, 0xe7, 0x25]);
    assert.deepStrictEqual(viridis(-3), viridis(0), 'clamped');
    assert.deepStrictEqual(viridis(NaN), viridis(0));
    // 8-bit rounding leaves dips of at most 0.05 L* between neighbours; over 4 entries it always rises.
    for (let i = 1; i < 256; i++) {
      assert.ok(lightness(VIRIDIS[i]) > lightness(VIRIDIS[i - 1]) - 0.05, `L* falls at ${i}`);
      if (i >= 4) assert.ok(lightness(VIRIDIS[i]) > lightness(VIRIDIS[i - 4]), `L* does not rise over ${i - 4}..${i}`);
    }
    const [l0, l1] = [lightness(VIRIDIS[0]), lightness(VIRIDIS[255])];
    assert.ok(l0 < 20 && l1 > 85, `${l0}, ${l1}`);
  });

  it('diverging: blue at −1, near-white at 0, red at +1, symmetric in lightness', () => {
    assert.deepStrictEqual(diverging(0), [0x21, 0x66, 0xac]);
    assert.deepStrictEqual(diverging(0.5), [0xf7, 0xf7, 0xf7]);
    assert.deepStrictEqual(diverging(1), [0xb2, 0x18, 0x2b]);
    assert.ok(diverging(0)[2] > diverging(0)[0] && diverging(1)[0] > diverging(1)[2], 'blue below zero, red above');
    // Lightness rises to the white middle and falls after it.
    for (let i = 0; i < 20; i++) {
      const [a, b] = [lightness(diverging(i / 40)), lightness(diverging((i + 1) / 40))];
      const [c, d] = [lightness(diverging(0.5 + i / 40)), lightness(diverging(0.5 + (i + 1) / 40))];
      assert.ok(a <= b && c >= d, `at ${i}`);
    }
  });
});

describe('heatmaps', () => {
  it('colorize normalises by the largest |value|', () => {
    const abs = colorize([0, -2, 1, 2], 'absolute');
    assert.deepStrictEqual(Array.from(abs.subarray(0, 4)), [...viridis(0), 255]);
    assert.deepStrictEqual(Array.from(abs.subarray(4, 8)), [...viridis(1), 255]);
    assert.deepStrictEqual(Array.from(abs.subarray(8, 12)), [...viridis(0.5), 255]);
    const signed = colorize([0, -2, 2], 'signed');
    assert.deepStrictEqual(Array.from(signed.subarray(0, 3)), diverging(0.5));
    assert.deepStrictEqual(Array.from(signed.subarray(4, 7)), diverging(0));
    assert.deepStrictEqual(Array.from(signed.subarray(8, 11)), diverging(1));
    assert.deepStrictEqual(Array.from(colorize([0, 0], 'absolute').subarray(0, 3)), viridis(0), 'all-zero maps do not divide by zero');
  });

  it('overlay blends the preview with the colormap at the opacity, resizing the map to the preview', () => {
    const preview = { width: 4, height: 4, rgba: new Uint8Array(4 * 4 * 4).fill(200) };
    // A 2×2 map (Grad-CAM at its layer's resolution) with all mass top-left.
    const map = { values: Float32Array.from([1, 0, 0, 0]), height: 2, width: 2 };
    const out = overlay(map, preview, { opacity: 0.5 });
    assert.strictEqual(out.width, 4);
    assert.strictEqual(out.height, 4);
    const [r, g, b] = viridis(1);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 4 }, 0, 0), [Math.round(100 + r / 2), Math.round(100 + g / 2), Math.round(100 + b / 2), 255]);
    const [r0, g0, b0] = viridis(0);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 4 }, 3, 3), [Math.round(100 + r0 / 2), Math.round(100 + g0 / 2), Math.round(100 + b0 / 2), 255]);
    const opaque = overlay(map, preview, { opacity: 1 });
    assert.deepStrictEqual(pixel({ data: opaque.rgba, width: 4 }, 0, 0), [...viridis(1), 255]);
    const clear = overlay(map, preview, { opacity: 0 });
    assert.deepStrictEqual(pixel({ data: clear.rgba, width: 4 }, 0, 0), [200, 200, 200, 255]);
  });

  it('signed overlays leave zero attribution untouched and paint the extremes red and blue', () => {
    const preview = { width: 3, height: 1, rgba: new Uint8Array(3 * 4).fill(200) };
    const map = { values: Float32Array.from([1, 0, -1]), height: 1, width: 3 };
    const out = overlay(map, preview, { opacity: 0.5, mode: 'signed' });
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 3 }, 0, 0), [...diverging(1), 255]);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 3 }, 1, 0), [200, 200, 200, 255]);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 3 }, 2, 0), [...diverging(0), 255]);
  });

  it('one outlier does not wash out the map: normalised by the 99th percentile of |value|', () => {
    const values = Float32Array.from({ length: 200 }, (_, i) => (i === 0 ? 1000 : 1));
    const colours = colorize(values, 'absolute');
    assert.deepStrictEqual(Array.from(colours.subarray(4, 7)), viridis(1), 'ordinary values reach the top of the colormap');
  });

  it('cells draws one square per value when there is no image', () => {
    const out = cells({ values: Float32Array.from([0, 1, -1]), height: 1, width: 3 }, 'signed', 10);
    assert.deepStrictEqual([out.width, out.height], [30, 10]);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 30 }, 15, 5), [...diverging(1), 255]);
    assert.deepStrictEqual(pixel({ data: out.rgba, width: 30 }, 29, 9), [...diverging(0), 255]);
  });

  it('defaultMode: magnitudes for gradients and SmoothGrad, signed when other maps go negative', () => {
    assert.strictEqual(defaultMode('gradient', [-1, 1]), 'absolute');
    assert.strictEqual(defaultMode('smoothgrad', [-1, 1]), 'absolute');
    assert.strictEqual(defaultMode('integrated-gradients', [-1, 1]), 'signed');
    assert.strictEqual(defaultMode('grad-cam', [0, 1]), 'absolute');
  });

  function result(over: Partial<SaliencyResult>): SaliencyResult {
    return {
      method: 'gradient',
      target: 0,
      targetLabel: '0',
      prediction: [],
      targetProbability: 1,
      attribution: { shape: [2, 3, 1], data: [0, 0, 4, 0, 0, 0] },
      summary: '',
      input: { path: 'x.png', kind: 'image', description: '' },
      backend: 'cpu',
      ms: 0,
      ...over,
    };
  }

  it('heatmapPng decodes to the preview size with known pixel colours', () => {
    const preview = { width: 3, height: 2, rgba: new Uint8Array(3 * 2 * 4).fill(0) };
    for (let i = 3; i < preview.rgba.length; i += 4) preview.rgba[i] = 255;
    const png = PNG.sync.read(heatmapPng(result({ input: { path: 'x.png', kind: 'image', description: '', preview: pngDataUri(preview) } }), { opacity: 1 }));
    // Enlarged pixel by pixel so the longer side reaches 224: ×75.
    assert.deepStrictEqual([png.width, png.height], [3 * 75, 2 * 75]);
    assert.deepStrictEqual(pixel(png, 2 * 75, 0), [...viridis(1), 255]);
    assert.deepStrictEqual(pixel(png, 2 * 75 + 74, 74), [...viridis(1), 255]);
    assert.deepStrictEqual(pixel(png, 0, 75), [...viridis(0), 255]);
    // Default opacity 0.5 over black: half the colour.
    const half = PNG.sync.read(heatmapPng(result({ input: { path: 'x.png', kind: 'image', description: '', preview: pngDataUri(preview) } })));
    assert.deepStrictEqual(pixel(half, 2 * 75, 0), [...viridis(1).map((c) => Math.round(c / 2)), 255]);
  });

  it('heatmapPng draws tabular attributions as cells', () => {
    const png = PNG.sync.read(heatmapPng(result({ method: 'integrated-gradients', attribution: { shape: [4], data: [1, -2, 0, 0.5] }, input: { path: 'x.csv', kind: 'tabular', description: '' } })));
    assert.deepStrictEqual([png.width, png.height], [4 * 24, 24]);
    assert.deepStrictEqual(pixel(png, 24 + 3, 3), [...diverging(0), 255]);
  });

  it('PNG data URIs round-trip', () => {
    const preview = { width: 2, height: 1, rgba: Uint8Array.from([1, 2, 3, 255, 4, 5, 6, 255]) };
    const back = decodePngDataUri(pngDataUri(preview));
    assert.deepStrictEqual([back.width, back.height, Array.from(back.rgba)], [2, 1, Array.from(preview.rgba)]);
  });
});
