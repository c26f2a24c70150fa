/**
 * Second order against truth: finite-difference Hessian-vector products and every solver against
 * the analytic Hessian of softmax regression (a case where nested tf.grad is silently wrong).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { initBackend } from '../../../../src/engine/backend/select';
import { quietContext } from '../../../../src/engine/common/context';
import { hessianVectorProduct } from '../../../../src/engine/influence/hvp';
import { makeSolver } from '../../../../src/engine/influence/influenceFunctions';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { makeRng } from '../../../../src/engine/common/random';
import { asModel, fit, gradientAndHessian, iris, type Problem } from '../../../helpers/softmaxRegression';
import { defaultOf } from '../../../../src/protocol/options';

const relativeError = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i] - b[i]) ** 2;
    den += b[i] ** 2;
  }
  return Math.sqrt(num / den);
};

describe('influence: Hessian-vector products and inverse-HVP solvers (softmax regression, analytic truth)', function () {
  this.timeout(120_000);
  const data = iris();
  const problem: Problem = { ...data, classes: 3, lambda: 0.01 };
  const rows = data.y.map((_, i) => i);
  let theta: Float64Array;
  let model: tf.Sequential;

  before(async () => {
    await initBackend('wasm');
    // A point off the optimum too: the Hessian is checked where gradients are not zero.
    theta = fit(problem, rows).map((v, i) => v + 0.3 * Math.sin(i));
    model = asModel(problem, theta);
  });
  after(() => model.dispose());

  function setup() {
    const objective = new Objective(model, chooseScope(model));
    const train = objective.embed(tf.tensor2d(data.x), Int32Array.from(data.y));
    return { objective, train };
  }

  it('gives H v within 1e-3 of the analytic Hessian for random directions', () => {
    const { objective, train } = setup();
    const { h } = gradientAndHessian(problem, theta, rows);
    const hvp = hessianVectorProduct(objective, train);
    const random = makeRng(7);
    for (let t = 0; t < 5; t++) {
      const v = Float64Array.from({ length: objective.size }, () => random() - 0.5);
      const exact = h.mmul(Matrix.columnVector(Array.from(v))).getColumn(0);
      assert.ok(relativeError(hvp(v), exact) < 1e-3, `relative error ${relativeError(hvp(v), exact)}`);
    }
    train.features.dispose();
  });

  for (const solver of ['exact', 'cg', 'lissa'] as const) {
    it(`${solver} solves (H + λI) x = b to the analytic solution`, async () => {
      const { objective, train } = setup();
      const { h } = gradientAndHessian(problem, theta, rows);
      const damped = h.clone();
      for (let i = 0; i < damped.rows; i++) damped.set(i, i, damped.get(i, i) + problem.lambda);
      const b = Float64Array.from({ length: objective.size }, (_, i) => Math.cos(i));
      const truth = new CholeskyDecomposition(damped).solve(Matrix.columnVector(Array.from(b))).getColumn(0);
      const before = tf.memory().numTensors;
      const ihvp = await makeSolver(objective, train, { solver, damping: problem.lambda, lissa: { depth: 3000, batch: 150, repeats: defaultOf('influence', 'lissaRepeats') } }, quietContext());
      const { x } = await ihvp.solve(b, quietContext());
      assert.equal(tf.memory().numTensors, before, 'tensors leaked');
      const tolerance = solver === 'lissa' ? 2e-2 : 2e-3;
      assert.ok(relativeError(x, truth) < tolerance, `${solver}: relative error ${relativeError(x, truth)}`);
      train.features.dispose();
    });
  }

  it('raises the damping of an indefinite Hessian only when asked to, and says by how much', async () => {
    const { objective, train } = setup();
    // −H is indefinite's extreme: flip the objective's curvature by asking for a negative damping.
    await assert.rejects(
      makeSolver(objective, train, { solver: 'exact', damping: -5 }, quietContext()),
      /not positive definite.*smallest eigenvalue/,
    );
    const auto = await makeSolver(objective, train, { solver: 'exact', damping: -5, autoDamping: true }, quietContext());
    assert.ok(auto.damping > -5, `damping ${auto.damping}`);
    train.features.dispose();
  });
});
