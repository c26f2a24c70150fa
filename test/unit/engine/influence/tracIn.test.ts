/**
 * TracIn over checkpoints saved at several epochs: the engine's scores (through the `influence`
 * request the CLI sends) equal Σ_t η_t ∇L(z_test, θ_t) · ∇L(z, θ_t) computed here from the analytic
 * softmax-regression gradient (p − onehot) ⊗ [x; 1]; and when the test point is a training point,
 * that point is its own strongest proponent (its term η‖∇L‖² dominates; Pruthi et al. 2020, §3).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { makeRng } from '../../../../src/engine/common/random';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { addTracInTerm } from '../../../../src/engine/influence/tracIn';
import { quietContext } from '../../../../src/engine/common/context';
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../../../../src/engine/engine';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { asModel, exampleGradient, gradientAndHessian, iris, type Problem } from '../../../helpers/softmaxRegression';
import { tempDir } from '../../../helpers/tempDir';

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

  describe('through the influence request, against Σ_t η_t ∇L(z_test, θ_t) · ∇L(z, θ_t) computed independently', () => {
    const data = iris();
    const rows = Array.from({ length: 40 }, (_, i) => (i * 37) % 150); // every class, in no class order
    const problem: Problem = { x: rows.map((r) => data.x[r]), y: rows.map((r) => data.y[r]), classes: 3, lambda: 0 };
    const testRow = 149;
    const testX = data.x[testRow];
    const testLabel = data.y[testRow];
    /** Distinct rates, so a rate applied to the wrong checkpoint shows. */
    const rates = [0.8, 0.3, 0.05];
    const thetas: Float64Array[] = [];
    const engine = new Engine(() => {}, { helper: false });
    let files: string[];
    let trainFile: string;
    let inputFile: string;

    /** Σ_t η_t g(z_test, θ_t) · g(z_i, θ_t) over the given checkpoints, in float64 from the analytic gradient. */
    function explicit(checkpoints: { theta: Float64Array; rate: number }[]): number[] {
      return problem.x.map((row, i) =>
        checkpoints.reduce((sum, { theta, rate }) => {
          const gTest = exampleGradient(theta, testX, testLabel, 3);
          const gTrain = exampleGradient(theta, row, problem.y[i], 3);
          return sum + rate * gTest.reduce((s, v, k) => s + v * gTrain[k], 0);
        }, 0),
      );
    }

    async function engineScores(checkpoints: { path: string; learningRate: number }[]): Promise<number[]> {
      const result = await engine.run(
        'influence',
        { modelPath: files[files.length - 1], method: 'tracin', inputPath: inputFile, label: testLabel, train: trainFile, checkpoints, top: problem.y.length },
        quietContext(),
      );
      assert.strictEqual(result.scores.length, problem.y.length);
      const byIndex = new Array<number>(problem.y.length).fill(NaN);
      for (const s of result.scores) byIndex[s.index] = s.score;
      return byIndex;
    }

    function gap(a: number[], b: number[]): number {
      const scale = Math.max(...b.map(Math.abs));
      return Math.max(...a.map((v, i) => Math.abs(v - b[i]))) / scale;
    }

    before(async () => {
      await engine.useBackend('cpu');
      // Checkpoints of a real run: full-batch gradient descent from zero, in float64, with the rates above.
      let theta = new Float64Array(15);
      for (const rate of rates) {
        thetas.push(Float64Array.from(theta));
        for (let step = 0; step < 5; step++) {
          const { g } = gradientAndHessian(problem, theta, problem.y.map((_, i) => i));
          theta = theta.map((v, i) => v - rate * g[i]);
        }
      }
      const dir = tempDir();
      files = [];
      for (const [t, th] of thetas.entries()) {
        // float32 weights on disk: the truth uses the same rounded values.
        thetas[t] = Float64Array.from(Float32Array.from(th));
        const model = asModel(problem, thetas[t], 'logits');
        files.push(await saveLayersModel(model, path.join(dir, `epoch-${t}`)));
        model.dispose();
      }
      trainFile = path.join(dir, 'train.json');
      fs.writeFileSync(trainFile, JSON.stringify({ x: problem.x, y: problem.y }));
      inputFile = path.join(dir, 'test.json');
      fs.writeFileSync(inputFile, JSON.stringify([testX]));
    });
    after(() => engine.dispose());

    it('every score equals the explicit sum over all checkpoints with their own rates', async () => {
      const all = files.map((p, t) => ({ path: p, learningRate: rates[t] }));
      const scores = await engineScores(all);
      const truth = explicit(thetas.map((theta, t) => ({ theta, rate: rates[t] })));
      assert.ok(gap(scores, truth) < 1e-4, `max relative gap ${gap(scores, truth)}`);
      // Signs and ranks carry meaning: proponents and opponents both occur here.
      assert.ok(truth.some((v) => v > 0) && truth.some((v) => v < 0));
      // The engine keeps the checkpoints and the training set loaded; a second request adds nothing.
      const before = tf.memory().numTensors;
      assert.deepStrictEqual(await engineScores(all), scores);
      assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
    });

    it('a wrong learning rate or a dropped checkpoint gives different scores', async () => {
      const scores = await engineScores(files.map((p, t) => ({ path: p, learningRate: rates[t] })));
      const swapped = explicit(thetas.map((theta, t) => ({ theta, rate: rates[rates.length - 1 - t] })));
      const dropped = explicit(thetas.slice(1).map((theta, t) => ({ theta, rate: rates[t + 1] })));
      assert.ok(gap(scores, swapped) > 0.05, `rates swapped: gap ${gap(scores, swapped)}`);
      assert.ok(gap(scores, dropped) > 0.05, `first checkpoint dropped: gap ${gap(scores, dropped)}`);
      // And the engine follows the checkpoints it is given: dropping one there matches dropping it here.
      const engineDropped = await engineScores(files.slice(1).map((p, t) => ({ path: p, learningRate: rates[t + 1] })));
      assert.ok(gap(engineDropped, dropped) < 1e-4, `max relative gap ${gap(engineDropped, dropped)}`);
    });
  });

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
