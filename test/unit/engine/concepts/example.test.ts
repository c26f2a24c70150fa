/**
 * The planted concept, learned (issue 12): examples/concepts-cnn was trained (by
 * scripts/train-concepts-cnn.ts) on images where every 'zebra' blob is striped and half the images of
 * every class have a shaded background. TCAV finds striped → zebra (≥ 0.9, significant) at every
 * layer, and shaded significant at none where its CAV separates it from random images; linear
 * probes find stripes from the layers after the first convolution on, not in the input.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { Engine } from '../../../../src/engine/engine';
import { quietContext } from '../../../../src/engine/common/context';

const EXAMPLE = path.join(__dirname, '../../../../../examples/concepts-cnn');
const MODEL = path.join(EXAMPLE, 'model.json');
const LAYERS = ['conv1', 'pool1', 'conv2', 'pool2', 'dense1'];

describe('concepts: the planted example (examples/concepts-cnn)', () => {
  const engine = new Engine(() => {}, { helper: false });
  before(() => engine.useBackend('wasm'));
  after(() => engine.dispose());

  it("TCAV from the sidecar's concepts, random sets and test images: striped → zebra ≥ 0.9 and significant; shaded not significant where its CAV is meaningful", async () => {
    const result = await engine.run('tcav', { modelPath: MODEL, class: 'zebra', layers: LAYERS }, quietContext());
    assert.deepStrictEqual([result.class, result.classIndex], ['zebra', 0]);
    assert.deepStrictEqual(result.classInputs, { path: path.join(EXAMPLE, 'data/test'), count: 50, filtered: true });
    assert.deepStrictEqual(result.randomSets, { path: path.join(EXAMPLE, 'random'), kind: 'sets', runs: 20, size: 50 });
    for (const r of result.results) {
      if (r.concept === 'striped') {
        assert.ok(r.score >= 0.9 && r.significant, `striped at ${r.layer}: ${r.score}, p ${r.pValue}`);
      } else {
        assert.ok(!r.significant || r.cavNearChance, `shaded at ${r.layer}: ${r.score}, p ${r.pValue}, CAV accuracy ${r.cavAccuracy}`);
      }
    }
    // Where its CAV is meaningful (the convolutional layers), shaded is simply not significant.
    assert.ok(result.results.filter((r) => r.concept === 'shaded' && !r.cavNearChance).every((r) => !r.significant));
    assert.ok(result.results.filter((r) => r.concept === 'striped').every((r) => r.cavAccuracy >= 0.75));
  });

  it('probes: stripes are not linearly readable from the input, and are from pool1 on (accuracy ≥ 0.9, selectivity ≥ 0.3); no tensor leaks', async () => {
    engine.dispose(); // the caches and the loaded model, so that what the probe leaves can be counted
    await engine.useBackend('wasm');
    const before = tf.memory().numTensors;
    const result = await engine.run('probe', { modelPath: MODEL, data: path.join(EXAMPLE, 'data/probe') }, quietContext());
    assert.deepStrictEqual(result.data.labels, ['plain', 'striped']);
    assert.deepStrictEqual(result.layers.map((l) => l.layer), ['conv1_input', 'conv1', 'pool1', 'conv2', 'pool2', 'flatten', 'dense1', 'probs']);
    const at = (layer: string) => result.layers.find((l) => l.layer === layer)!;
    assert.ok(at('conv1_input').accuracy <= 0.7, `input: ${at('conv1_input').accuracy}`);
    for (const layer of ['pool1', 'conv2', 'pool2', 'flatten', 'dense1']) {
      assert.ok(at(layer).accuracy >= 0.9 && at(layer).selectivity >= 0.3, `${layer}: ${JSON.stringify(at(layer))}`);
    }
    for (const l of result.layers) assert.ok(Math.abs(l.selectivity - (l.accuracy - l.controlAccuracy)) < 1e-12);
    engine.dispose();
    await engine.useBackend('wasm');
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  });
});
