/**
 * Occlusion against Captum's published values, against maps worked out from the models' definitions
 * (region sums on images, the Grad-CAM toy computed in plain JS), batching, progress, cancellation
 * and leaks, on the cpu and wasm backends.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import type { SaliencyOptions } from '../../../../src/protocol/saliency';
import { initBackend } from '../../../../src/engine/backend/select';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { quietContext } from '../../../../src/engine/common/context';
import { occlusion, occlusionGrid } from '../../../../src/engine/saliency/occlusion';
import { rejectsLens } from '../../../helpers/assertLens';
import {
  gradCamToy,
  gradCamToyDenseKernel,
  gradCamToyInput,
  layersCheckpoint,
  occlusionToy,
  regionSumModel,
  smallCnn,
  writeGradCamToyGraph,
} from '../../../helpers/cnnToys';
import { withDefaults } from '../../../../src/protocol/options';

function assertClose(actual: number[], expected: number[], tolerance = 1e-5): void {
  assert.strictEqual(actual.length, expected.length, 'length');
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `[${i}]: ${actual[i]} vs ${expected[i]}\nactual ${actual.join(', ')}\nexpected ${expected.join(', ')}`);
  }
}

async function occlude(checkpoint: Checkpoint, x: tf.Tensor, target: number, options: Omit<SaliencyOptions, 'method'> = {}) {
  const result = await occlusion.run({ checkpoint, x, target }, withDefaults('saliency', { method: 'occlusion', ...options }), quietContext());
  const values = Array.from(await result.values.data());
  const shape = result.values.shape;
  result.values.dispose();
  return { values, shape };
}

/** Deterministic positive image values, distinct enough that sums identify the elements. */
function image(h: number, w: number, c: number): tf.Tensor4D {
  return tf.tensor4d(Array.from({ length: h * w * c }, (_, i) => 1 + ((i * 7) % 11) + i / 100), [1, h, w, c]);
}

/**
 * Reference occlusion for a model linear in x, F(x) = Σ_region x: a window at rows [r, r+win) ∩ [0, h)
 * and columns [s, s+win) ∩ [0, w), filled with `fill`, lowers F by Σ_{region ∩ window, all channels}
 * (x − fill); each element averages the drops of the windows covering it. Window starts are listed
 * explicitly by the caller.
 */
function regionReference(x: number[], h: number, w: number, c: number, region: { top: number; left: number }, win: number, starts: number[][], fill: number): number[] {
  const inRegion = (i: number, j: number) => i >= region.top && i < region.top + 2 && j >= region.left && j < region.left + 2;
  const sum = new Array(h * w * c).fill(0);
  const count = new Array(h * w * c).fill(0);
  for (const r of starts[0]) {
    for (const s of starts[1]) {
      let drop = 0;
      for (let i = r; i < Math.min(h, r + win); i++) {
        for (let j = s; j < Math.min(w, s + win); j++) {
          if (inRegion(i, j)) for (let k = 0; k < c; k++) drop += x[(i * w + j) * c + k] - fill;
        }
      }
      for (let i = r; i < Math.min(h, r + win); i++) {
        for (let j = s; j < Math.min(w, s + win); j++) {
          for (let k = 0; k < c; k++) {
            sum[(i * w + j) * c + k] += drop;
            count[(i * w + j) * c + k] += 1;
          }
        }
      }
    }
  }
  return sum.map((v, i) => (count[i] ? v / count[i] : 0));
}

/** The Grad-CAM toy's unit 0 in plain JS: valid 3×3 sums, biases, ReLU, dense column 0, ReLU. */
function toyUnit0(x: number[]): number {
  const kernel = gradCamToyDenseKernel();
  let y = 0;
  for (let i = 0; i < 2; i++) {
    for (let j = 0; j < 2; j++) {
      let s = 0;
      for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) s += x[(i + a) * 4 + (j + b)];
      [s - 50, s - 75].forEach((v, ch) => (y += Math.max(0, v) * kernel[(i * 2 + j) * 2 + ch][0]));
    }
  }
  return Math.max(0, y);
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`saliency/occlusion (${backend})`, () => {
    let toy: Checkpoint;
    let x: tf.Tensor2D;

    before(async () => {
      await initBackend(backend);
      toy = await layersCheckpoint(occlusionToy());
      x = tf.tensor2d([[20, 50, 30]]);
    });
    after(async () => {
      disposeCheckpoint(toy);
      x.dispose();
      await initBackend('cpu');
    });

    describe("Captum's BasicModel_MultiLayer, input [20, 50, 30], target 0", () => {
      it('window 1 → [80, 200, 120] (also the default window for tabular inputs)', async () => {
        assert.deepStrictEqual((await occlude(toy, x, 0, { window: 1 })).values, [80, 200, 120]);
        const byDefault = await occlude(toy, x, 0);
        assert.deepStrictEqual(byDefault.values, [80, 200, 120]);
        assert.deepStrictEqual(byDefault.shape, [1, 3]);
      });

      it('window 2, stride 1, fill 10 → [200, 220, 240] (the middle feature averages its two windows)', async () => {
        assert.deepStrictEqual((await occlude(toy, x, 0, { window: 2, stride: 1, fill: 10 })).values, [200, 220, 240]);
      });

      it('window 2, stride 2 → [280, 280, 120] (the second window is clipped at the border)', async () => {
        assert.deepStrictEqual((await occlude(toy, x, 0, { window: 2, stride: 2 })).values, [280, 280, 120]);
        assert.deepStrictEqual(occlusionGrid([1, 3], { window: 2, stride: 2 }).counts, [2]);
      });
    });

    describe('images', () => {
      const [h, w, c] = [8, 8, 3];
      const region = { top: 2, left: 4 };
      let model: Checkpoint;
      let img: tf.Tensor4D;
      let pixels: number[];

      before(async () => {
        model = await layersCheckpoint(regionSumModel(h, w, c, region.top, region.left));
        img = image(h, w, c);
        pixels = Array.from(img.dataSync());
      });
      after(() => {
        disposeCheckpoint(model);
        img.dispose();
      });

      it('a model summing one 2×2 region: window 1 credits exactly that region, each pixel with its channel sum', async () => {
        const { values, shape } = await occlude(model, img, 1, { window: 1 });
        assert.deepStrictEqual(shape, [1, h, w, c]);
        for (let i = 0; i < h; i++) {
          for (let j = 0; j < w; j++) {
            const inside = i >= region.top && i < region.top + 2 && j >= region.left && j < region.left + 2;
            const pixelSum = pixels.slice((i * w + j) * c, (i * w + j + 1) * c).reduce((a, b) => a + b, 0);
            for (let k = 0; k < c; k++) {
              const v = values[(i * w + j) * c + k];
              if (inside) assert.ok(Math.abs(v - pixelSum) < 1e-4, `(${i},${j},${k}) ${v} vs ${pixelSum}`);
              else assert.strictEqual(v, 0, `(${i},${j},${k})`);
            }
          }
        }
      });

      it('window 2, stride 2, aligned with the region: the region sum there, zero elsewhere', async () => {
        const { values } = await occlude(model, img, 1, { window: 2, stride: 2 });
        const regionSum = regionReference(pixels, h, w, c, region, 2, [[0, 2, 4, 6], [0, 2, 4, 6]], 0);
        assertClose(values, regionSum, 1e-5);
        const nonzero = values.map((v, i) => (v !== 0 ? i : -1)).filter((i) => i >= 0);
        const expected = [2, 3].flatMap((i) => [4, 5].flatMap((j) => [0, 1, 2].map((k) => (i * w + j) * c + k)));
        assert.deepStrictEqual(nonzero, expected);
      });

      it('window 3, stride 2, fill 0.5: windows start at 0, 2, 4, 6 and the last ones are clipped', async () => {
        assert.deepStrictEqual(occlusionGrid([1, h, w, c], { window: 3, stride: 2 }).counts, [4, 4]);
        const { values } = await occlude(model, img, 1, { window: 3, stride: 2, fill: 0.5 });
        assertClose(values, regionReference(pixels, h, w, c, region, 3, [[0, 2, 4, 6], [0, 2, 4, 6]], 0.5), 1e-5);
      });

      it('defaults for images: window 4, stride 4, over height and width with all channels together', async () => {
        const grid = occlusionGrid([1, h, w, c], {});
        assert.deepStrictEqual([grid.window, grid.stride, grid.counts], [4, 4, [2, 2]]);
        const { values } = await occlude(model, img, 1);
        assertClose(values, regionReference(pixels, h, w, c, region, 4, [[0, 4], [0, 4]], 0), 1e-5);
      });

      it('the default window grows with the image: a few hundred windows at 224², small images keep window 4', () => {
        const windows = (h: number, w: number) => occlusionGrid([1, h, w, 3], {});
        // max(4, ⌈min(h, w) / 14⌉), stride = window, ⌈(n − window) / stride⌉ + 1 positions per side.
        const cases: [number, number, number, number][] = [
          [28, 28, 4, 49], // MNIST: 7 × 7, as before the rule
          [32, 32, 4, 64], // CIFAR: 8 × 8
          [56, 56, 4, 196],
          [64, 64, 5, 169],
          [224, 224, 16, 196], // a fixed 4-pixel window would cost 3,136 forward passes
          [299, 299, 22, 196],
          [224, 448, 16, 392],
          [512, 512, 37, 196],
        ];
        for (const [h, w, window, total] of cases) {
          const grid = windows(h, w);
          assert.deepStrictEqual([grid.window, grid.stride, grid.total], [window, window, total], `${h}×${w}`);
        }
        for (let side = 8; side <= 1024; side += 8) {
          const { total } = windows(side, side);
          assert.ok(total <= 15 * 15 && (side < 56 || total >= 12 * 12), `${side}²: ${total} windows`);
        }
        assert.deepStrictEqual(occlusionGrid([1, 224, 224, 3], { window: 8 }).total, 784, 'an explicit window wins');
      });

      it('window 2, stride 1 on the Grad-CAM toy, layers and graph model alike, against a plain-JS forward', async () => {
        const input = gradCamToyInput();
        const xs = Array.from(input.dataSync());
        const fx = toyUnit0(xs);
        assert.strictEqual(fx, 54);
        // Reference: every 2×2 window position (3 × 3 of them), drop = F(x) − F(occluded), averaged per pixel.
        const sum = new Array(16).fill(0);
        const count = new Array(16).fill(0);
        for (let r = 0; r < 3; r++) {
          for (let s = 0; s < 3; s++) {
            const occluded = xs.slice();
            const cells = [r * 4 + s, r * 4 + s + 1, (r + 1) * 4 + s, (r + 1) * 4 + s + 1];
            cells.forEach((i) => (occluded[i] = 0));
            const drop = fx - toyUnit0(occluded);
            cells.forEach((i) => ((sum[i] += drop), (count[i] += 1)));
          }
        }
        const expected = sum.map((v, i) => v / count[i]);
        assert.ok(expected.some((v) => v !== expected[0]), 'the reference is not constant');
        const layers = await layersCheckpoint(gradCamToy());
        const graph = await loadCheckpoint(writeGradCamToyGraph());
        try {
          assertClose((await occlude(layers, input, 0, { window: 2, stride: 1 })).values, expected, 1e-5);
          assertClose((await occlude(graph, input, 0, { window: 2, stride: 1 })).values, expected, 1e-5);
          // The default window (4) covers the whole 4×4 image: F(x) − F(0) = 54 − 0 everywhere.
          assert.deepStrictEqual((await occlude(graph, input, 0)).values, new Array(16).fill(54));
        } finally {
          disposeCheckpoint(layers);
          disposeCheckpoint(graph);
          input.dispose();
        }
      });
    });

    describe('batching, progress, cancellation, memory', () => {
      let cnn: Checkpoint;
      let img: tf.Tensor4D;
      const options = { window: 2, stride: 1 }; // 5 × 6 = 30 windows on 6 × 7

      before(async () => {
        cnn = await layersCheckpoint(smallCnn());
        img = image(6, 7, 2);
      });
      after(() => {
        disposeCheckpoint(cnn);
        img.dispose();
      });

      it('batched equals unbatched (internal batch 1 vs 1000)', async () => {
        const one = await occlude(cnn, img, 2, { ...options, internalBatch: 1 });
        const all = await occlude(cnn, img, 2, { ...options, internalBatch: 1000 });
        assert.ok(one.values.some((v) => v !== 0));
        assertClose(one.values, all.values, 1e-5);
      });

      it('reports progress per batch of windows, up to the total', async () => {
        const calls: [number, number][] = [];
        const result = await occlusion.run(
          { checkpoint: cnn, x: img, target: 0 },
          withDefaults('saliency', { method: 'occlusion', ...options, internalBatch: 7 }),
          { signal: new AbortController().signal, onProgress: (done, total) => calls.push([done, total]) },
        );
        result.values.dispose();
        assert.deepStrictEqual(calls, [[7, 30], [14, 30], [21, 30], [28, 30], [30, 30]]);
      });

      it('cancelling between batches rejects and leaks nothing', async () => {
        await occlude(cnn, img, 0, options);
        const before = tf.memory().numTensors;
        const controller = new AbortController();
        let batches = 0;
        await assert.rejects(
          occlusion.run(
            { checkpoint: cnn, x: img, target: 0 },
            withDefaults('saliency', { method: 'occlusion', ...options, internalBatch: 4 }),
            { signal: controller.signal, onProgress: () => ++batches === 2 && controller.abort() },
          ),
          (err: Error) => err.name === 'AbortError',
        );
        assert.strictEqual(batches, 2);
        assert.strictEqual(tf.memory().numTensors, before);
      });

      it('leaks no tensors: the caller owns only the values', async () => {
        await occlude(cnn, img, 0, options);
        const before = tf.memory().numTensors;
        const result = await occlusion.run({ checkpoint: cnn, x: img, target: 1 }, withDefaults('saliency', { method: 'occlusion', ...options, internalBatch: 8 }), quietContext());
        assert.strictEqual(tf.memory().numTensors, before + 1);
        result.values.dispose();
        assert.strictEqual(tf.memory().numTensors, before);
      });

      it('rejects bad windows and strides', async () => {
        await rejectsLens(() => occlude(cnn, img, 0, { window: 0 }), 'BAD_REQUEST', /window must be a whole number/);
        await rejectsLens(() => occlude(cnn, img, 0, { window: 2, stride: 1.5 }), 'BAD_REQUEST', /stride/);
      });
    });
  });
}
