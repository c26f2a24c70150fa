/**
 * Memory-bounded batching on a real 224×224×3 model (MobileNetV2 from nsfwjs, synthetic input):
 * IG-50 used to size its batches by the input alone and overflowed the wasm heap ("memory access
 * out of bounds"); batches are now sized by the model's activations (exampleElements).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { PNG } from 'pngjs';
import { benchModelPath } from '../../../../bench/models';
import { Engine } from '../../../../src/engine/engine';
import { makeRng } from '../../../../src/engine/common/random';
import { batchSizeFor } from '../../../../src/engine/model/batching';
import { tempDir } from '../../../helpers/tempDir';

describe('saliency on a 224×224×3 MobileNetV2', function () {
  this.timeout(600_000);
  const engine = new Engine();
  after(() => engine.dispose());

  let inputPath = '';
  before(async () => {
    await engine.useBackend('wasm');
    const png = new PNG({ width: 224, height: 224 });
    const random = makeRng(1);
    png.data.forEach((_, i) => (png.data[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256)));
    inputPath = path.join(tempDir(), 'noise.png');
    fs.writeFileSync(inputPath, PNG.sync.write(png));
  });

  it('runs IG-50 without overflowing the wasm heap', async () => {
    const modelPath = await benchModelPath('mobilenetv2');
    const ctx = { signal: new AbortController().signal, onProgress: () => {} };
    const result = await engine.run('saliency', { modelPath, inputPath, method: 'integrated-gradients', steps: 50 }, ctx);
    assert.deepEqual(result.attribution.shape, [224, 224, 3]);
    assert.ok(result.completenessDelta !== undefined && Number.isFinite(result.completenessDelta));
  });

  it('sizes its batches by the memory budget: 340 MB holds one point of MobileNetV2 at a time', async () => {
    const modelPath = await benchModelPath('mobilenetv2');
    const batches = async (memoryBudgetMB?: number) => {
      let reports = 0;
      const ctx = { signal: new AbortController().signal, onProgress: () => void reports++ };
      await engine.run('saliency', { modelPath, inputPath, method: 'integrated-gradients', steps: 8, ...(memoryBudgetMB ? { memoryBudgetMB } : {}) }, ctx);
      return reports;
    };
    // ≈88M floats per point: the default 1500 MB holds 4, shared with the helper in batches of 2.
    assert.strictEqual(await batches(), 4);
    assert.strictEqual(await batches(340), 8);
  });
});

describe('batchSizeFor', () => {
  it('fits the budget: MiB × 2²⁰ / 4 floats over the elements per example, at most 256; internalBatch overrides', () => {
    assert.strictEqual(batchSizeFor(1_000_000, { memoryBudgetMB: 64 }), Math.floor((64 * 2 ** 20) / 4 / 1_000_000));
    assert.strictEqual(batchSizeFor(3_000_000), Math.floor((1500 * 2 ** 20) / 4 / 3_000_000), 'default: 1500 MiB');
    assert.strictEqual(batchSizeFor(100_000_000, { memoryBudgetMB: 64 }), 1, 'at least one');
    assert.strictEqual(batchSizeFor(10, { memoryBudgetMB: 3000 }), 256, 'at most 256');
    assert.strictEqual(batchSizeFor(1_000_000, { internalBatch: 7, memoryBudgetMB: 64 }), 7);
  });
});
