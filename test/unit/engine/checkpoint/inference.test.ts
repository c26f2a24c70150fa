/**
 * The compiled inference form (batch norms folded, activations fused, input-only gradients) against
 * tfjs-layers' own model.predict and its taped gradient, an independent computation, on models that
 * cover every folding rule and every rule's refusal; plus finite differences, what the compiled
 * passes no longer run (batch-norm kernels, filter gradients), stale weights and memory.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { disposeCheckpoint, type Checkpoint } from '../../../../src/engine/checkpoint/load';
import { forward } from '../../../../src/engine/checkpoint/forward';
import { weightedPathGradients } from '../../../../src/engine/model/pathGradients';
import { inputGradient, targetColumn } from '../../../../src/engine/model/objective';
import { layersCheckpoint } from '../../../helpers/cnnToys';

let seed = 1;
const init = () => tf.initializers.glorotUniform({ seed: seed++ });
/** Batch norm with non-trivial statistics, so folding it matters. */
const batchNorm = (config: { center?: boolean; scale?: boolean } = {}) => tf.layers.batchNormalization({
  ...config,
  gammaInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 1.5, seed: seed++ }),
  betaInitializer: tf.initializers.randomUniform({ minval: -0.5, maxval: 0.5, seed: seed++ }),
  movingMeanInitializer: tf.initializers.randomUniform({ minval: -0.3, maxval: 0.3, seed: seed++ }),
  movingVarianceInitializer: tf.initializers.randomUniform({ minval: 0.5, maxval: 2, seed: seed++ }),
});

/** conv → BN → ReLU6, strided conv → BN → ReLU, depthwise ×2 → BN → ReLU6, separable → BN → relu, conv → BN, 1×1 conv tanh, pool, dense → BN, dense softmax. */
function everyRule(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [12, 12, 3], filters: 6, kernelSize: 3, padding: 'same', kernelInitializer: init(), biasInitializer: init() }),
      batchNorm(),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.conv2d({ filters: 8, kernelSize: 3, strides: 2, padding: 'valid', useBias: false, kernelInitializer: init() }),
      batchNorm(),
      tf.layers.reLU(),
      tf.layers.depthwiseConv2d({ kernelSize: 3, depthMultiplier: 2, padding: 'same', depthwiseInitializer: init() }),
      batchNorm(),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.separableConv2d({ filters: 6, kernelSize: 3, padding: 'same', depthwiseInitializer: init(), pointwiseInitializer: init() }),
      batchNorm(),
      tf.layers.activation({ activation: 'relu' }),
      tf.layers.conv2d({ filters: 4, kernelSize: 2, padding: 'valid', kernelInitializer: init() }),
      batchNorm(),
      tf.layers.conv2d({ filters: 5, kernelSize: 1, kernelInitializer: init(), activation: 'tanh' }),
      tf.layers.maxPooling2d({ poolSize: 2 }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 7, kernelInitializer: init() }),
      batchNorm(),
      tf.layers.dropout({ rate: 0.5 }),
      tf.layers.dense({ units: 4, activation: 'softmax', kernelInitializer: init() }),
    ],
  });
}

/** A residual block: the conv's output feeds both its BN and the add, so that BN must not be folded. */
function residual(): tf.LayersModel {
  const input = tf.input({ shape: [8, 8, 4] });
  const conv = tf.layers.conv2d({ filters: 4, kernelSize: 3, padding: 'same', kernelInitializer: init() }).apply(input) as tf.SymbolicTensor;
  const normed = batchNorm().apply(conv) as tf.SymbolicTensor;
  const summed = tf.layers.add().apply([conv, normed]) as tf.SymbolicTensor;
  const pooled = tf.layers.globalAveragePooling2d({}).apply(tf.layers.reLU().apply(summed)) as tf.SymbolicTensor;
  const out = tf.layers.dense({ units: 3, kernelInitializer: init() }).apply(pooled) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: out });
}

/** A dense layer on a rank-3 input followed by a batch norm over its last axis. */
function denseOnSequences(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.dense({ inputShape: [5, 6], units: 4, kernelInitializer: init() }),
      batchNorm(),
      tf.layers.reLU(),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: init() }),
    ],
  });
}

/** depthwise ×2 → BN → ReLU6 first, then a pointwise conv. */
function depthwiseFirst(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.depthwiseConv2d({ inputShape: [7, 7, 2], kernelSize: 3, depthMultiplier: 2, strides: 2, padding: 'same', depthwiseInitializer: init() }),
      batchNorm(),
      tf.layers.reLU({ maxValue: 6 }),
      tf.layers.conv2d({ filters: 3, kernelSize: 1, kernelInitializer: init() }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: init() }),
    ],
  });
}

/** One dense layer called twice: shared layers are not compiled. */
function sharedLayer(): tf.LayersModel {
  const input = tf.input({ shape: [3] });
  const shared = tf.layers.dense({ units: 3, activation: 'relu', kernelInitializer: init() });
  const twice = shared.apply(shared.apply(input)) as tf.SymbolicTensor;
  return tf.model({ inputs: input, outputs: twice });
}

function relativeGap(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.max(tf.abs(tf.sub(actual, expected))).dataSync()[0] / Math.max(tf.max(tf.abs(expected)).dataSync()[0], 1e-12));
}

/** The taped gradient of the target score through tfjs-layers' own predict. */
function layersGradient(checkpoint: Checkpoint, x: tf.Tensor, target: number): tf.Tensor {
  return inputGradient({ model: checkpoint.model }, x, target);
}

/** conv → BN(no β) → ReLU, conv → BN(no γ, no β), dense: tfjs-layers' own gradient fails on these batch norms. */
function withoutScaleOrCenter(): tf.LayersModel {
  return tf.sequential({
    layers: [
      tf.layers.conv2d({ inputShape: [6, 6, 2], filters: 3, kernelSize: 3, kernelInitializer: init() }),
      batchNorm({ center: false }),
      tf.layers.reLU(),
      tf.layers.conv2d({ filters: 2, kernelSize: 2, kernelInitializer: init() }),
      batchNorm({ center: false, scale: false }),
      tf.layers.flatten(),
      tf.layers.dense({ units: 2, kernelInitializer: init() }),
    ],
  });
}

/** ∂(output `target`)/∂x at a few inputs against central differences of the compiled forward pass. */
function assertMatchesFiniteDifferences(checkpoint: Checkpoint, target: number): void {
  const x = inputOf(checkpoint, 1);
  const values = x.dataSync();
  const grad = inputGradient(checkpoint, x, target).dataSync();
  const score = (v: Float32Array) => tf.tidy(() => forward(checkpoint, tf.tensor(v, x.shape)).dataSync()[target]);
  const eps = 1e-3;
  for (const i of [0, 17, 41, 55, 71].filter((k) => k < values.length)) {
    const up = Float32Array.from(values);
    const down = Float32Array.from(values);
    up[i] += eps;
    down[i] -= eps;
    const fd = (score(up) - score(down)) / (2 * eps);
    assert.ok(Math.abs(fd - grad[i]) < 0.02 * Math.abs(fd) + 1e-4, `∂/∂x[${i}]: ${grad[i]} vs finite difference ${fd}`);
  }
  x.dispose();
}

const inputOf = (checkpoint: Checkpoint, batch: number) =>
  tf.randomUniform([batch, ...checkpoint.inputs[0].shape.slice(1).map((d) => d ?? 1)], -1, 2, 'float32', 5);

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`checkpoint/inference (${backend})`, () => {
    before(async () => {
      if (backend === 'wasm') await initBackend('wasm');
      else await tf.setBackend('cpu');
    });

    for (const [name, build] of [['every folding rule', everyRule], ['a residual block', residual], ['dense on sequences', denseOnSequences]] as const) {
      it(`${name}: outputs and input gradients match model.predict's, and nothing leaks`, async () => {
        const checkpoint = await layersCheckpoint(build());
        assert.ok(checkpoint.inference, 'the model was not compiled');
        const x = inputOf(checkpoint, 3);
        const baseline = tf.memory().numTensors;
        for (let i = 0; i < 2; i++) {
          tf.tidy(() => {
            const expected = checkpoint.model.predict(x) as tf.Tensor;
            assert.ok(relativeGap(forward(checkpoint, x), expected) < 1e-5, 'outputs differ');
            const target = expected.shape[1] as number - 1;
            const gap = relativeGap(inputGradient(checkpoint, x, target), layersGradient(checkpoint, x, target));
            assert.ok(gap < 1e-4, `input gradients differ by ${gap}`);
          });
        }
        assert.strictEqual(tf.memory().numTensors, baseline);
        x.dispose();
        disposeCheckpoint(checkpoint);
      });
    }

    for (const [name, build] of [['a conv first', everyRule], ['a dense layer first', denseOnSequences], ['a depthwise conv first', depthwiseFirst]] as const) {
      it(`${name}: IG's path gradients through the first layer's linearity equal tfjs-layers' gradients point by point`, async () => {
        const checkpoint = await layersCheckpoint(build());
        const inference = checkpoint.inference as NonNullable<Checkpoint['inference']>;
        const x = inputOf(checkpoint, 1);
        const before = tf.memory().numTensors;
        tf.tidy(() => {
          const baseline = tf.mul(x, 0.25);
          const delta = tf.sub(x, baseline);
          const nodes = [0.1, 0.5, 0.93];
          const weights = [0.2, 0.3, 0.5];
          const shared = inference.weightedPathGradients(baseline, delta, nodes, weights, (out) => targetColumn(out, 1));
          assert.ok(shared, 'the shortcut did not apply');
          const pointwise = weightedPathGradients((points) => layersGradient(checkpoint, points, 1), baseline, delta, nodes, weights);
          const gap = relativeGap(shared, pointwise);
          assert.ok(gap < 1e-4, `path gradients differ by ${gap}`);
        });
        assert.strictEqual(tf.memory().numTensors, before);
        x.dispose();
        disposeCheckpoint(checkpoint);
      });
    }

    it('the compiled gradient matches central finite differences', async () => {
      const checkpoint = await layersCheckpoint(everyRule());
      assertMatchesFiniteDifferences(checkpoint, 2);
      disposeCheckpoint(checkpoint);
    });

    it('folds batch norms without γ or β (outputs as predict; gradient by finite differences, as tfjs-layers cannot take it)', async () => {
      const checkpoint = await layersCheckpoint(withoutScaleOrCenter());
      assert.ok(checkpoint.inference);
      const x = inputOf(checkpoint, 2);
      assert.ok(tf.tidy(() => relativeGap(forward(checkpoint, x), checkpoint.model.predict(x) as tf.Tensor)) < 1e-5);
      x.dispose();
      assertMatchesFiniteDifferences(checkpoint, 1);
      disposeCheckpoint(checkpoint);
    });

    it('runs no batch-norm kernel forward, and no filter or bias gradient backward', async () => {
      const checkpoint = await layersCheckpoint(everyRule());
      const x = inputOf(checkpoint, 2);
      const kernels = async (f: () => tf.Tensor) => new Set((await tf.profile(() => f())).kernelNames);
      const forwardKernels = await kernels(() => forward(checkpoint, x));
      const backwardKernels = await kernels(() => inputGradient(checkpoint, x, 0));
      for (const name of ['FusedBatchNorm', 'Rsqrt']) assert.ok(!forwardKernels.has(name), `forward runs ${name}`);
      for (const name of ['Conv2DBackpropFilter', 'DepthwiseConv2dNativeBackpropFilter', 'FusedBatchNorm']) {
        assert.ok(!backwardKernels.has(name), `the input gradient runs ${name}`);
      }
      // model.predict's own gradient does run them: the test would catch a silent fallback.
      const layers = await kernels(() => layersGradient(checkpoint, x, 0));
      assert.ok(layers.has('Conv2DBackpropFilter') && layers.has('FusedBatchNorm'));
      x.dispose();
      disposeCheckpoint(checkpoint);
    });

    it('folds again after the weights change (influence perturbs and restores them)', async () => {
      const checkpoint = await layersCheckpoint(everyRule());
      const x = inputOf(checkpoint, 2);
      const model = checkpoint.model as tf.LayersModel;
      const conv = model.layers[0];
      const bn = model.layers[1];
      const original = conv.getWeights().map((w) => w.clone());
      tf.tidy(() => conv.setWeights(original.map((w) => tf.mul(w, 1.5))));
      tf.tidy(() => bn.setWeights(bn.getWeights().map((w, i) => (i === 2 ? tf.add(w, 0.2) : w))));
      assert.ok(tf.tidy(() => relativeGap(forward(checkpoint, x), model.predict(x) as tf.Tensor)) < 1e-5);
      conv.setWeights(original);
      assert.ok(tf.tidy(() => relativeGap(forward(checkpoint, x), model.predict(x) as tf.Tensor)) < 1e-5);
      tf.dispose([...original, x]);
      disposeCheckpoint(checkpoint);
    });

    it('leaves models it cannot describe to model.predict (a shared layer)', async () => {
      const checkpoint = await layersCheckpoint(sharedLayer());
      assert.strictEqual(checkpoint.inference, undefined);
      const x = tf.tensor2d([[0.5, -1, 2]]);
      assert.ok(tf.tidy(() => relativeGap(forward(checkpoint, x), checkpoint.model.predict(x) as tf.Tensor)) === 0);
      x.dispose();
      disposeCheckpoint(checkpoint);
    });

    it('disposeCheckpoint frees the folded weights with the model', async () => {
      const before = tf.memory().numTensors;
      const checkpoint = await layersCheckpoint(everyRule());
      assert.ok(checkpoint.inference);
      disposeCheckpoint(checkpoint);
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });
}
