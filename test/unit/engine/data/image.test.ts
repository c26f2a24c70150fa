import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { loadImage, prepareImage, planImage, toChannels } from '../../../../src/engine/data/image';
import { jpegBytes, near, pngBytes, rejectsLens, RGBW, useTempDir, write } from './fixtures';

describe('inputs/image', function () {
  this.timeout(5000);
  const tmp = useTempDir();

  it('decodes a 2×2 RGB PNG to known floats in [1,2,2,3]', async () => {
    const file = write(tmp.dir, 'rgbw.png', pngBytes(2, 2, RGBW));
    const before = tf.memory().numTensors;
    const { tensor, preview, description } = await loadImage(file, { channels: 3 });
    assert.deepStrictEqual(tensor.shape, [1, 2, 2, 3]);
    assert.strictEqual(tensor.dtype, 'float32');
    near(await tensor.data(), [1, 0, 0, 0, 1, 0, 0, 0, 1, 1, 1, 1]);
    assert.deepStrictEqual(Array.from(preview.rgba), [255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 255, 255, 255, 255]);
    assert.match(description, /rgbw\.png: PNG 2×2, RGB/);
    tensor.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('converts to luminance 0.299R + 0.587G + 0.114B', async () => {
    near(toChannels(Uint8Array.from([255, 0, 0, 255, 0, 255, 0, 255, 0, 0, 255, 255, 10, 20, 30, 255]), 1), [
      76.245, 149.685, 29.07, 0.299 * 10 + 0.587 * 20 + 0.114 * 30,
    ], 1e-3);
    const file = write(tmp.dir, 'gray.png', pngBytes(2, 2, RGBW));
    const { tensor } = await loadImage(file, { channels: 1 });
    assert.deepStrictEqual(tensor.shape, [1, 2, 2, 1]);
    near(await tensor.data(), [0.299, 0.587, 0.114, 1]);
    tensor.dispose();
  });

  it('drops alpha instead of compositing', () => {
    const img = prepareImage('a.png', pngBytes(1, 1, [[100, 150, 200, 0]]), { channels: 3, scale: 1 });
    near(img.data, [100, 150, 200]);
  });

  it('resizes through the pipeline to hand-computed values', () => {
    const bytes = pngBytes(2, 2, [[0, 0, 0], [10, 10, 10], [20, 20, 20], [30, 30, 30]]);
    const img = prepareImage('g.png', bytes, { channels: 1, size: [4, 4], scale: 1 });
    assert.deepStrictEqual([img.height, img.width, img.channels], [4, 4, 1]);
    near(img.data, [0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30], 1e-4);
    assert.deepStrictEqual([img.preview.width, img.preview.height, img.preview.rgba.length], [4, 4, 64]);
    assert.deepStrictEqual(Array.from(img.preview.rgba.slice(4, 8)), [3, 3, 3, 255]); // 2.5 rounds to 3
    assert.match(img.description, /PNG 2×2 → 4×4, grayscale/);
  });

  it('applies scale, then (x − mean) / std per channel', () => {
    const bytes = pngBytes(2, 2, RGBW);
    const img = prepareImage('n.png', bytes, { channels: 3, mean: [0.5, 0.25, 0], std: [0.25, 0.5, 2] });
    near(img.data, [2, -0.5, 0, -2, 1.5, 0, -2, -0.5, 0.5, 2, 1.5, 0.5]);
    const raw = prepareImage('n.png', bytes, { channels: 3, scale: 1, mean: [127.5], std: [127.5] });
    near(raw.data.slice(0, 3), [1, -1, -1]);
  });

  it('rejects mean/std that fit neither 1 nor every channel', async () => {
    await rejectsLens(() => prepareImage('n.png', pngBytes(1, 1, [[1, 2, 3]]), { channels: 3, mean: [1, 2] }), 'INVALID_SIDECAR', 'mean');
    await rejectsLens(() => prepareImage('n.png', pngBytes(1, 1, [[1, 2, 3]]), { channels: 3, std: [0] }), 'INVALID_SIDECAR', 'std');
  });

  it('round-trips a JPEG close to the original', async () => {
    const [w, h] = [16, 16];
    const rgba = new Uint8Array(w * h * 4);
    for (let y = 0; y < h; y++) {
      for (let x = 0; x < w; x++) rgba.set([x * 16, y * 16, 128, 255], 4 * (y * w + x)); // smooth gradient
    }
    const file = write(tmp.dir, 'grad.jpg', jpegBytes(w, h, rgba, 95));
    const { tensor, description } = await loadImage(file, { channels: 3, scale: 1 });
    const got = await tensor.data();
    tensor.dispose();
    let sum = 0;
    let max = 0;
    for (let i = 0; i < w * h; i++) {
      for (let c = 0; c < 3; c++) {
        const d = Math.abs(got[3 * i + c] - rgba[4 * i + c]);
        sum += d;
        max = Math.max(max, d);
      }
    }
    assert.ok(sum / (w * h * 3) < 3, `mean abs error ${sum / (w * h * 3)}`);
    assert.ok(max < 16, `max abs error ${max}`);
    assert.match(description, /JPEG 16×16/);
  });

  it('detects the format by magic bytes, not the extension', () => {
    const img = prepareImage('really-a-png.jpg', pngBytes(1, 1, [[9, 9, 9]]), { channels: 1, scale: 1 });
    assert.match(img.description, /PNG 1×1/);
  });

  describe('planImage', () => {
    it('takes [h,w] and channels from an NHWC model input', () => {
      const plan = planImage([null, 28, 28, 1], {});
      assert.deepStrictEqual(plan.options.size, [28, 28]);
      assert.strictEqual(plan.options.channels, 1);
      assert.deepStrictEqual(plan.shapeFor(28, 28, 1), [1, 28, 28, 1]);
    });
    it('lets the sidecar override size, channels and normalisation', () => {
      const plan = planImage([null, null, null, 3], { input: { kind: 'image', size: [8, 6], scale: 2, mean: [1] } });
      assert.deepStrictEqual(plan.options, { size: [8, 6], channels: 3, scale: 2, mean: [1], std: undefined });
    });
    it('keeps the image size and uses RGB when the model leaves them open', () => {
      const plan = planImage([null, null, null, null], {});
      assert.strictEqual(plan.options.size, undefined);
      assert.strictEqual(plan.options.channels, 3);
    });
    it('fits [batch,h,w] and flat [batch,n] models', () => {
      assert.deepStrictEqual(planImage([null, 4, 4], {}).shapeFor(4, 4, 1), [1, 4, 4]);
      const flat = planImage([null, 16], { input: { kind: 'image', size: [4, 4] } });
      assert.deepStrictEqual([flat.options.channels, flat.shapeFor(4, 4, 1)], [1, [1, 16]]);
    });
    it('rejects models that want other channel counts, and bad sidecar sizes', async () => {
      await rejectsLens(() => planImage([null, 8, 8, 4], {}), 'INVALID_INPUT', '[null,8,8,4]', '4 channels');
      await rejectsLens(() => planImage([null, 8, 8, 3], { input: { kind: 'image', size: [0, 8] } }), 'INVALID_SIDECAR', 'input.size');
    });
  });
});
