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
import { tempDir } from '../../../helpers/tempDir';

describe('saliency on a 224×224×3 MobileNetV2', function () {
  this.timeout(600_000);
  const engine = new Engine();
  after(() => engine.dispose());

  it('runs IG-50 without overflowing the wasm heap', async () => {
    await engine.useBackend('wasm');
    const modelPath = await benchModelPath('mobilenetv2');
    const png = new PNG({ width: 224, height: 224 });
    const random = makeRng(1);
    png.data.forEach((_, i) => (png.data[i] = i % 4 === 3 ? 255 : Math.floor(random() * 256)));
    const inputPath = path.join(tempDir(), 'noise.png');
    fs.writeFileSync(inputPath, PNG.sync.write(png));
    const ctx = { signal: new AbortController().signal, onProgress: () => {} };
    const result = await engine.run('saliency', { modelPath, inputPath, method: 'integrated-gradients', steps: 50 }, ctx);
    assert.deepEqual(result.attribution.shape, [224, 224, 3]);
    assert.ok(result.completenessDelta !== undefined && Number.isFinite(result.completenessDelta));
  });
});
