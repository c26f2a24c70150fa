/**
 * Planted effect: flip 10% of the training labels, train to the optimum, and rank every training
 * example by self-influence. The flipped ones must come first (issue #5: ≥ 60% of them in the top
 * 10%, ≥ 80% in the top 20%).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { makeRng, shuffleInPlace } from '../../../../src/engine/common/random';
import { makeSolver } from '../../../../src/engine/influence/influenceFunctions';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { selfInfluence } from '../../../../src/engine/influence/selfInfluence';
import { quietContext } from '../../../../src/engine/common/context';
import { asModel, fit, iris, type Problem } from '../../../helpers/softmaxRegression';

describe('self-influence finds planted label noise (softmax regression on iris)', function () {
  this.timeout(120_000);

  before(() => initBackend('wasm'));

  for (const solver of ['exact', 'cg'] as const) {
    it(`${solver}: ranks the flipped 10% first`, async () => {
      const data = iris();
      const n = data.y.length;
      const random = makeRng(11);
      const flipped = new Set(shuffleInPlace(data.y.map((_, i) => i), random).slice(0, n / 10));
      const y = data.y.map((label, i) => (flipped.has(i) ? (label + 1 + Math.floor(random() * 2)) % 3 : label));
      const problem: Problem = { x: data.x, y, classes: 3, lambda: 0.01 };
      const model = asModel(problem, fit(problem, y.map((_, i) => i)));
      const before = tf.memory().numTensors;
      const objective = new Objective(model, chooseScope(model));
      const x = tf.tensor2d(data.x);
      const train = objective.embed(x, Int32Array.from(y));
      x.dispose();
      const rows = await objective.exampleGradients(train, quietContext());
      const scores = await selfInfluence(await makeSolver(objective, train, { solver, damping: problem.lambda }, quietContext()), rows, quietContext());
      train.features.dispose();
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      model.dispose();
      const order = Array.from(scores.keys()).sort((a, b) => scores[b] - scores[a]);
      const found = (fraction: number) => order.slice(0, Math.round(n * fraction)).filter((i) => flipped.has(i)).length / flipped.size;
      assert.ok(found(0.1) >= 0.6, `top 10%: ${found(0.1)}`);
      assert.ok(found(0.2) >= 0.8, `top 20%: ${found(0.2)}`);
    });
  }
});
