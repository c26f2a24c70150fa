/**
 * Splitting residual networks at the parameter scope: the suffix run from the cached prefix
 * computes what the whole model computes (outputs and parameter gradients), and a Hessian-vector
 * product on the real MobileNetV2 runs only the layers after the split (its kernels counted).
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { benchModelPath } from '../../../../bench/models';
import { disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { hessianVectorProduct } from '../../../../src/engine/influence/hvp';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import { splitModel } from '../../../../src/engine/influence/split';
import { initBackend } from '../../../../src/engine/backend/select';
import { defaultSolver } from '../../../../src/engine/influence/dampedHessian';
import { EXACT_DEFAULT_MAX_PARAMS } from '../../../../src/protocol/influence';

/** x → a → c, and a → b (the scope) → add(b, c) → out: the suffix reads two fixed tensors, a and c. */
function residual(): tf.LayersModel {
  const init = (seed: number) => tf.initializers.glorotUniform({ seed });
  const x = tf.input({ shape: [4] });
  const a = tf.layers.dense({ units: 3, activation: 'tanh', name: 'a', kernelInitializer: init(1) }).apply(x) as tf.SymbolicTensor;
  const c = tf.layers.dense({ units: 3, activation: 'tanh', name: 'c', kernelInitializer: init(2) }).apply(a) as tf.SymbolicTensor;
  const b = tf.layers.dense({ units: 3, activation: 'tanh', name: 'b', kernelInitializer: init(3) }).apply(a) as tf.SymbolicTensor;
  const sum = tf.layers.add({ name: 'add' }).apply([b, c]) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 2, activation: 'softmax', name: 'out', kernelInitializer: init(4) }).apply(sum) as tf.SymbolicTensor;
  return tf.model({ inputs: x, outputs: out });
}

describe('influence/split: residual networks', function () {
  this.timeout(300_000);
  before(() => tf.setBackend('cpu'));

  it('the suffix from the packed fixed tensors equals the whole model, outputs and gradients of the scope', () => {
    const model = residual();
    const x = tf.randomNormal([5, 4], 0, 1, 'float32', 7);
    const split = splitModel(model, ['b']);
    assert.strictEqual(split.cutAt, 'b');
    assert.strictEqual(split.suffixLayers, null, 'not a chain: add reads b and c');
    const features = split.prefix(x);
    assert.deepStrictEqual(features.shape, [5, 6], 'a and c, side by side');
    const whole = model.predict(x) as tf.Tensor;
    const viaSplit = split.suffix(features);
    assert.ok(tf.max(tf.abs(tf.sub(whole, viaSplit))).dataSync()[0] < 1e-6);
    const b = model.getLayer('b').trainableWeights.map((w) => w.read() as tf.Variable);
    const loss = (out: () => tf.Tensor) => () => tf.sum(tf.log(out().slice([0, 0], [-1, 1]))) as tf.Scalar;
    const g1 = tf.variableGrads(loss(() => model.apply(x) as tf.Tensor), b).grads;
    const g2 = tf.variableGrads(loss(() => split.suffix(features)), b).grads;
    for (const v of b) assert.ok(tf.max(tf.abs(tf.sub(g1[v.name], g2[v.name]))).dataSync()[0] < 1e-6, v.name);
    model.dispose();
  });

  it("MobileNetV2 (nsfwjs), its last dense layer: Hessian-vector products run only the layers after the split", async () => {
    await initBackend('wasm');
    try {
      const checkpoint = await loadCheckpoint(await benchModelPath('mobilenetv2'));
      const model = checkpoint.model as tf.LayersModel;
      const scope = chooseScope(model);
      assert.deepStrictEqual([scope.layers, scope.size], [['dense_3'], 645]);
      const objective = new Objective(model, scope);
      const x = tf.randomUniform([4, 224, 224, 3], 0, 1, 'float32', 3);
      const data = objective.embed(x, Int32Array.of(0, 1, 2, 3));
      x.dispose();
      assert.deepStrictEqual(data.features.shape, [4, 128], "the cached inputs of the scope: dropout_3's output");
      const hvp = hessianVectorProduct(objective, data);
      const v = Float64Array.from({ length: scope.size }, (_, i) => Math.cos(i));
      const profile = await tf.profile(() => {
        hvp(v);
      });
      const kernels = profile.kernels.map((k) => k.name);
      assert.deepStrictEqual(kernels.filter((k) => /Conv|Pool|BatchNorm|Relu6/.test(k)), [], 'no layer before the split runs');
      const one = tf.zeros([1, 224, 224, 3]);
      const forwardKernels = (await tf.profile(() => tf.dispose(model.predict(one) as tf.Tensor))).kernels.length;
      one.dispose();
      // Two gradients (θ ± hv) over the last layer, against one forward pass of the whole network.
      assert.ok(kernels.length < forwardKernels / 2, `${kernels.length} kernels for the HVP, ${forwardKernels} for one forward pass`);
      data.features.dispose();
      disposeCheckpoint(checkpoint);
    } finally {
      await tf.setBackend('cpu');
    }
  });
});

describe('influence: the default solver by cost', () => {
  it('exact where a Hessian-vector product per parameter is cheap, CG where each product runs a whole network', () => {
    // MobileNetV2's last dense layer, 645 parameters: split, a product takes milliseconds; unsplit, 7.5 s (645 × 7.5 s ≈ 80 minutes).
    assert.strictEqual(defaultSolver(645, 5, 1, false), 'exact');
    assert.strictEqual(defaultSolver(645, 7500, 1, false), 'cg');
    assert.strictEqual(defaultSolver(645, 7500, 1, true), 'exact', 'a cached Hessian costs nothing to build');
    assert.strictEqual(defaultSolver(645, 7500, 120, false), 'exact', 'self-influence: one Hessian beats a CG solve per example');
    assert.strictEqual(defaultSolver(EXACT_DEFAULT_MAX_PARAMS + 1, 0.1, 1, false), 'cg');
  });
});
