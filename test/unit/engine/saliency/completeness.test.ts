/**
 * IG's completeness warning: the step count it recommends, from a power law fitted to a second,
 * cheaper run, checked against a closed form and then by running IG at that count.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { quietContext } from '../../../../src/engine/common/context';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { relativeGap, stepsFor } from '../../../../src/engine/saliency/completeness';
import { tempDir } from '../../../helpers/tempDir';

describe('saliency/completeness: the steps that close IG\'s gap', () => {
  it('a gap falling like n⁻² from 64% at 16 steps to 4% at 64 needs 128 steps for 1%', () => {
    assert.strictEqual(stepsFor(64, 0.04, 16, 0.64), 128);
    assert.strictEqual(stepsFor(64, 0.04, 16, 0.04), null, 'a gap more steps do not shrink is not quadrature error');
    assert.strictEqual(relativeGap(0.1, 0), null);
  });

  it('on y = tanh(w·x) with w·x = 24: the warning names a step count at which the gap is under 1%', async () => {
    const engine = new Engine(() => {}, { helper: false });
    await engine.useBackend('cpu');
    try {
      const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 1, activation: 'tanh', useBias: false })] });
      model.layers[0].setWeights([tf.tensor2d([4, -2, 6], [3, 1])]);
      const dir = tempDir();
      const modelPath = await saveLayersModel(model, dir);
      const inputPath = path.join(dir, 'x.json');
      fs.writeFileSync(inputPath, JSON.stringify([[3, -3, 1]]));
      const run = (steps: number) => engine.run('saliency', { modelPath, inputPath, method: 'integrated-gradients', steps, quadrature: 'riemann-trapezoid' }, quietContext());
      const coarse = await run(16);
      const warning = coarse.warnings?.[0] ?? '';
      assert.match(warning, /completeness gap is 5\.2% of F\(x\) − F\(baseline\) at 16 steps \(above 1\.0%\): about (\d+) steps would bring it under 1\.0% \(estimated from a second run at 4 steps/);
      const steps = Number(/about (\d+) steps/.exec(warning)?.[1]);
      const fine = await run(steps);
      const gap = Math.abs(fine.completenessDelta ?? NaN) / Math.tanh(24);
      assert.ok(gap <= 0.01, `${steps} steps leave a gap of ${gap}`);
      assert.strictEqual(fine.warnings, undefined);
    } finally {
      engine.dispose();
    }
  });
});
