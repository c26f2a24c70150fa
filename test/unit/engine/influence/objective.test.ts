/**
 * Per-example gradients against the analytic gradient of softmax regression, (p − onehot(y)) ⊗ [x; 1],
 * on both paths (batched dense and one backward pass per example), including an example the model
 * gets confidently wrong: its probability underflows float32, and only a loss computed from
 * logits keeps its gradient (it is what self-influence must find).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { quietContext } from '../../../../src/engine/common/context';
import { asModel, gradientAndHessian, type Problem } from '../../../helpers/softmaxRegression';

describe('influence: per-example loss gradients', function () {
  this.timeout(60_000);
  // Large weights: example 2 (label 0) gets p(label) ≈ e^-60, which is 0 in float32.
  const problem: Problem = { x: [[1, 0], [0, 1], [3, 3]], y: [1, 0, 0], classes: 3, lambda: 0 };
  const theta = [0.5, -1, 10, 2, 0.3, 10, 0.1, -0.2, 0.4];

  before(() => initBackend('wasm'));

  it('match (p − onehot(y)) ⊗ [x; 1] on the batched and the per-example path, confident mistakes included', async () => {
    const model = asModel(problem, theta);
    const objective = new Objective(model, chooseScope(model));
    const x = tf.tensor2d(problem.x);
    const data = objective.embed(x, Int32Array.from(problem.y));
    const before = tf.memory().numTensors;
    const batched = (await objective.exampleGradients(data, quietContext())).data;
    const single = problem.y.map((_, i) => objective.exampleGradient(data, i));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    problem.y.forEach((_, i) => {
      const truth = gradientAndHessian(problem, theta, [i]).g;
      const rows = { batched: batched.subarray(i * 9, i * 9 + 9), single: single[i] };
      for (const [path, row] of Object.entries(rows)) {
        row.forEach((g, k) => assert.ok(Math.abs(g - truth[k]) < 1e-5, `example ${i}, ${path} path, parameter ${k}: ${g} vs ${truth[k]}`));
      }
    });
    assert.ok(Math.max(...Array.from(batched.subarray(18, 27), Math.abs)) > 1, 'the confident mistake has a large gradient');
    tf.dispose([x, data.features]);
    model.dispose();
  });
});
