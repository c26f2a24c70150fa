/**
 * Truth is retraining (Koh & Liang 2017, Fig. 2, convex case): for the 50 training points most
 * influential on a test point, the predicted change in test loss after removing each (score / n)
 * against the actual change after removing it and retraining to convergence (Newton's method on
 * L2-regularised softmax regression, independent of the engine). The scores come through the
 * `influence` request, the CLI's entry point: model, training set and test input read from files.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { sampleCorrelation } from 'simple-statistics';
import { initBackend } from '../../../../src/engine/backend/select';
import { makeRng, shuffleInPlace } from '../../../../src/engine/common/random';
import * as fs from 'fs';
import * as path from 'path';
import { Engine } from '../../../../src/engine/engine';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { quietContext } from '../../../../src/engine/common/context';
import { asModel, exampleLoss, fit, iris, type Problem } from '../../../helpers/softmaxRegression';
import { tempDir } from '../../../helpers/tempDir';

describe('influence functions against leave-one-out retraining (convex: softmax regression on iris)', function () {
  this.timeout(300_000);
  const data = iris();
  const order = shuffleInPlace(data.y.map((_, i) => i), makeRng(3));
  const trainRows = order.slice(0, 120);
  const testRows = order.slice(120);
  const problem: Problem = { x: trainRows.map((r) => data.x[r]), y: trainRows.map((r) => data.y[r]), classes: 3, lambda: 0.01 };
  const all = problem.y.map((_, i) => i);
  let theta: Float64Array;
  let testRow: number;
  let actual: Map<number, number>;
  const engine = new Engine(() => {}, { helper: false });
  const files = { model: '', train: '', input: '' };

  before(async () => {
    await initBackend('wasm');
    await engine.useBackend('wasm');
    theta = fit(problem, all);
    // The hardest test point: its loss moves most when training points go.
    testRow = testRows.reduce((a, b) => (exampleLoss(theta, data.x[b], data.y[b], 3) > exampleLoss(theta, data.x[a], data.y[a], 3) ? b : a));
    actual = new Map();
    const dir = tempDir();
    const model = asModel(problem, theta);
    files.model = await saveLayersModel(model, path.join(dir, 'model'));
    model.dispose();
    files.train = path.join(dir, 'train.json');
    fs.writeFileSync(files.train, JSON.stringify({ x: problem.x, y: problem.y }));
    files.input = path.join(dir, 'test.json');
    fs.writeFileSync(files.input, JSON.stringify([data.x[testRow]]));
  });
  after(() => engine.dispose());

  /** Test-loss change after removing training point i and retraining from the optimum (memoised). */
  function retrained(i: number): number {
    if (!actual.has(i)) {
      const without = fit(problem, all.filter((j) => j !== i), theta);
      actual.set(i, exampleLoss(without, data.x[testRow], data.y[testRow], 3) - exampleLoss(theta, data.x[testRow], data.y[testRow], 3));
    }
    return actual.get(i) as number;
  }

  for (const solver of ['exact', 'cg', 'lissa'] as const) {
    it(`${solver}: predicted and actual test-loss changes of the top 50 correlate with r ≥ 0.95`, async () => {
      const n = problem.y.length;
      const ask = () =>
        engine.run(
          'influence',
          { modelPath: files.model, method: 'influence', inputPath: files.input, label: data.y[testRow], train: files.train, solver, damping: problem.lambda, ...(solver === 'lissa' ? { lissaDepth: 2000, lissaBatch: 120 } : {}), top: n },
          quietContext(),
        );
      const result = await ask();
      assert.strictEqual(result.solver, solver);
      assert.strictEqual(result.damping, problem.lambda);
      assert.strictEqual(result.scores.length, n);
      const scores = new Float64Array(n).fill(NaN);
      for (const s of result.scores) scores[s.index] = s.score;
      // The engine keeps the model and the training set loaded; a second request leaves no tensors behind.
      const before = tf.memory().numTensors;
      await ask();
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      const top = Array.from(scores.keys()).sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a])).slice(0, 50);
      const predicted = top.map((i) => scores[i] / n);
      const truth = top.map(retrained);
      const r = sampleCorrelation(predicted, truth);
      assert.ok(r >= 0.95, `${solver}: Pearson r = ${r.toFixed(4)}`);
      // Not just correlated: the same scale (Koh & Liang's points lie on y = x).
      const slope = predicted.reduce((s, p, k) => s + p * truth[k], 0) / predicted.reduce((s, p) => s + p * p, 0);
      assert.ok(slope > 0.8 && slope < 1.25, `${solver}: actual ≈ ${slope.toFixed(3)} × predicted`);
    });
  }
});
