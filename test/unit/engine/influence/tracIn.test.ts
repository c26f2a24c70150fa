/**
 * TracIn over checkpoints saved at several epochs: when the test point is a training point, that
 * point is its own strongest proponent (its term η‖∇L‖² dominates; Pruthi et al. 2020, §3).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { makeRng } from '../../../../src/engine/common/random';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { addTracInTerm } from '../../../../src/engine/influence/tracIn';
import { quietContext } from '../../../../src/engine/common/context';

const N = 60;
/** Inputs of many dimensions: gradients of different examples are far from parallel, as in real models. */
const D = 32;
const LR = 0.1;

function mlp(seed: number): tf.Sequential {
  return tf.sequential({
    layers: [
      tf.layers.dense({ units: 16, activation: 'tanh', inputShape: [D], kernelInitializer: tf.initializers.glorotUniform({ seed }) }),
      tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) }),
    ],
  });
}

describe('TracIn over training checkpoints', function () {
  this.timeout(120_000);

  it('ranks every training example as its own top proponent', async () => {
    await initBackend('wasm');
    const random = makeRng(5);
    const xs = Array.from({ length: N }, () => Array.from({ length: D }, () => random() * 2 - 1));
    // A learnable rule with some noise, so gradients differ between examples and epochs.
    const labels = Int32Array.from(xs, (r) => (r[0] + r[1] + 0.3 * (random() - 0.5) > 0.3 ? 2 : r[2] > 0 ? 1 : 0));
    const model = mlp(1);
    model.compile({ optimizer: tf.train.sgd(LR), loss: 'sparseCategoricalCrossentropy' });
    const x = tf.tensor2d(xs);
    const y = tf.tensor1d(labels, 'float32');
    const snapshots: tf.Tensor[][] = [];
    for (let epoch = 0; epoch < 4; epoch++) {
      snapshots.push(model.getWeights().map((w) => w.clone()));
      await model.fit(x, y, { epochs: 5, batchSize: 10, shuffle: false, verbose: 0 });
    }
    y.dispose();
    const scores = Array.from({ length: 20 }, () => new Float64Array(N));
    const stage = mlp(1);
    const before = tf.memory().numTensors;
    for (const weights of snapshots) {
      stage.setWeights(weights);
      const objective = new Objective(stage, chooseScope(stage));
      const train = objective.embed(x, labels);
      const rows = await objective.exampleGradients(train, quietContext());
      for (let t = 0; t < 20; t++) {
        const test = { features: train.features.slice(t, 1), labels: labels.subarray(t, t + 1) };
        addTracInTerm(scores[t], objective, rows, test, LR);
        test.features.dispose();
      }
      train.features.dispose();
    }
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    for (let t = 0; t < 20; t++) {
      const top = scores[t].indexOf(Math.max(...scores[t]));
      assert.equal(top, t, `test point ${t}: top proponent ${top}`);
    }
    tf.dispose([x, ...snapshots.flat()]);
    model.dispose();
    stage.dispose();
  });
});
