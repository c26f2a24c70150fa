/**
 * Grad-CAM against hand-worked values (issue 3's toy, as a layers and as a graph model), against a
 * forward written with plain ops (nested model), layer inference, upsampling, errors, leaks and
 * cancellation, on the cpu and wasm backends.
 */
import * as assert from 'assert';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { SaliencyOptions } from '../../../../src/protocol/saliency';
import { initBackend } from '../../../../src/engine/backend/select';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { quietContext } from '../../../../src/engine/common/context';
import { camChannels, gradCam, gradCamLayer } from '../../../../src/engine/saliency/gradCam';
import { rejectsLens } from '../../../helpers/assertLens';
import {
  findLayer,
  gradCamToy,
  gradCamToyFreeSize,
  gradCamToyInput,
  layersCheckpoint,
  nestedCnn,
  nestedCnnByHand,
  smallCnn,
  writeGradCamToyGraph,
} from '../../../helpers/cnnToys';
import { mlp } from '../../../helpers/models';

const MNIST = path.join(__dirname, '../../../../../examples/mnist-cnn/model.json');

// Hand-worked in test/helpers/cnnToys.ts (gradCamToy's comment).
const SIGNED_AT_CONV = [[11.25, 13.5], [20.25, 22.5]];
const CHANNEL_0 = [[-3.75, 3], [23.25, 30]];
const CHANNEL_1 = [[15, 10.5], [-3, -7.5]];
// Target 2 (+1 from every position): α0 = 3/4 (ReLU passes 3 of channel 0's positions), α1 = 2/4.
const SIGNED_AT_CONV_TARGET_2 = [[0.75 * -5 + 0.5 * -30, 0.75 * 4 + 0.5 * -21], [0.75 * 31 + 0.5 * 6, 0.75 * 40 + 0.5 * 15]];
// At the ReLU after the conv: ∂y0/∂relu is the dense weight itself, α0 = 1, α1 = (1 − 3)/4 = −0.5,
// A = [[0, 4], [31, 40]] and [[0, 0], [6, 15]].
const SIGNED_AT_RELU = [[0, 4], [28, 32.5]];

function assertClose(actual: number[] | Float32Array, expected: number[], tolerance = 1e-5, what = ''): void {
  assert.strictEqual(actual.length, expected.length, `${what} length`);
  for (let i = 0; i < expected.length; i++) {
    const scale = Math.max(1, Math.abs(expected[i]));
    assert.ok(Math.abs(actual[i] - expected[i]) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${expected[i]} (${Array.from(actual).join(', ')})`);
  }
}

async function camOf(checkpoint: Checkpoint, x: tf.Tensor, target: number, options: Omit<SaliencyOptions, 'method'> = {}) {
  const result = await gradCam.run({ checkpoint, x, target }, { method: 'grad-cam', ...options }, quietContext());
  const values = Array.from(await result.values.data());
  const shape = result.values.shape;
  result.values.dispose();
  return { values, shape, layer: result.layer };
}

/** Bilinear resize of a 2×2 map to 4×4 with half-pixel centres (TF2 / OpenCV): rows and columns mix by these weights. */
function upsample2to4(m: number[][]): number[] {
  const w = [[1, 0], [0.75, 0.25], [0.25, 0.75], [0, 1]];
  const out: number[] = [];
  for (let i = 0; i < 4; i++) {
    for (let j = 0; j < 4; j++) {
      let v = 0;
      for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) v += w[i][a] * w[j][b] * m[a][b];
      out.push(v);
    }
  }
  return out;
}

for (const backend of ['cpu', 'wasm'] as const) {
  describe(`saliency/gradCam (${backend})`, () => {
    let toy: Checkpoint;
    let graphToy: Checkpoint;
    let x: tf.Tensor4D;

    before(async () => {
      await initBackend(backend);
      toy = await layersCheckpoint(gradCamToy());
      graphToy = await loadCheckpoint(writeGradCamToyGraph());
      x = gradCamToyInput();
    });
    after(async () => {
      disposeCheckpoint(toy);
      disposeCheckpoint(graphToy);
      x.dispose();
      await initBackend('cpu');
    });

    describe('issue 3 toy, hand-worked', () => {
      it('signed Grad-CAM at the conv layer (before its ReLU) is [[11.25, 13.5], [20.25, 22.5]]', async () => {
        const cam = await camOf(toy, x, 0, { layer: 'conv', relu: false, upsample: false });
        assert.strictEqual(cam.layer, 'conv');
        assert.deepStrictEqual(cam.shape, [1, 2, 2]);
        assertClose(cam.values, SIGNED_AT_CONV.flat());
      });

      it('per channel α_c·A_c are [[−3.75, 3], [23.25, 30]] and [[15, 10.5], [−3, −7.5]]', () => {
        const { channels, layer } = camChannels(toy, x, 0, 'conv');
        assert.strictEqual(layer, 'conv');
        assert.deepStrictEqual(channels.shape, [1, 2, 2, 2]);
        const [c0, c1] = tf.tidy(() => tf.unstack(channels, 3).map((t) => Array.from(t.dataSync())));
        channels.dispose();
        assertClose(c0, CHANNEL_0.flat(), 1e-5, 'channel 0');
        assertClose(c1, CHANNEL_1.flat(), 1e-5, 'channel 1');
      });

      it('follows the target: unit 2 gives its own map, and ReLU zeroes its negative part', async () => {
        const signed = await camOf(toy, x, 2, { layer: 'conv', relu: false, upsample: false });
        assertClose(signed.values, SIGNED_AT_CONV_TARGET_2.flat());
        const relu = await camOf(toy, x, 2, { layer: 'conv', upsample: false });
        assertClose(relu.values, SIGNED_AT_CONV_TARGET_2.flat().map((v) => Math.max(0, v)));
      });

      it('infers the ReLU layer after the conv (the last 4-D spatial layer before flatten)', async () => {
        assert.strictEqual(gradCamLayer(toy.model as tf.LayersModel).name, 'conv_relu');
        const cam = await camOf(toy, x, 0, { relu: false, upsample: false });
        assert.strictEqual(cam.layer, 'conv_relu');
        assertClose(cam.values, SIGNED_AT_RELU.flat());
      });

      it('upsamples bilinearly (half-pixel centres) to the input size, map ≥ 0 with ReLU', async () => {
        const cam = await camOf(toy, x, 2, { layer: 'conv' });
        assert.deepStrictEqual(cam.shape, [1, 4, 4, 1]);
        assert.ok(cam.values.every((v) => v >= 0));
        assertClose(cam.values, upsample2to4(SIGNED_AT_CONV_TARGET_2.map((row) => row.map((v) => Math.max(0, v)))));
        const signed = await camOf(toy, x, 0, { layer: 'conv', relu: false });
        assertClose(signed.values, upsample2to4(SIGNED_AT_CONV));
      });

      it('a layer with free height and width (shape probed): a quarter of the toy map after global pooling', async () => {
        // Not through loadCheckpoint: its smoke test feeds 1×1 images for free dimensions, which a
        // valid 3×3 conv cannot take (on wasm that corrupts the heap).
        const free = { model: gradCamToyFreeSize(), format: 'layers-model', topology: {} } as unknown as Checkpoint;
        try {
          const before = tf.memory().numTensors;
          const cam = await camOf(free, x, 0, { layer: 'conv', relu: false, upsample: false });
          assert.strictEqual(tf.memory().numTensors, before);
          assert.deepStrictEqual(cam.shape, [1, 2, 2]);
          assertClose(cam.values, SIGNED_AT_CONV.flat().map((v) => v / 4));
          assert.strictEqual((await camOf(free, x, 0, { upsample: false })).layer, 'conv_relu');
        } finally {
          disposeCheckpoint(free);
        }
      });

      it('leaves the model as it was: same predictions, no patched layer', async () => {
        const before = tf.tidy(() => Array.from((toy.model.predict(x) as tf.Tensor).dataSync()));
        await camOf(toy, x, 0, { layer: 'conv' });
        // An out-of-range target fails mid-forward; the layer is restored anyway. (cpu only: on wasm an
        // out-of-range slice writes outside the heap; explain.ts validates targets before any method runs.)
        if (backend === 'cpu') await assert.rejects(camOf(toy, x, 99, { layer: 'conv' }));
        const conv = findLayer(toy.model as tf.LayersModel, 'conv');
        assert.ok(!Object.prototype.hasOwnProperty.call(conv, 'call'));
        const after = tf.tidy(() => Array.from((toy.model.predict(x) as tf.Tensor).dataSync()));
        assert.deepStrictEqual(after, before);
        assert.deepStrictEqual(before, [54, 0, 96, 0]);
      });
    });

    describe('graph models', () => {
      it('the same toy as a GraphDef: signed Grad-CAM at conv/BiasAdd is [[11.25, 13.5], [20.25, 22.5]]', async () => {
        const cam = await camOf(graphToy, x, 0, { layer: 'conv/BiasAdd', relu: false, upsample: false });
        assert.strictEqual(cam.layer, 'conv/BiasAdd');
        assertClose(cam.values, SIGNED_AT_CONV.flat());
        const { channels } = camChannels(graphToy, x, 0, 'conv/BiasAdd');
        const [c0, c1] = tf.tidy(() => tf.unstack(channels, 3).map((t) => Array.from(t.dataSync())));
        channels.dispose();
        assertClose(c0, CHANNEL_0.flat(), 1e-5, 'channel 0');
        assertClose(c1, CHANNEL_1.flat(), 1e-5, 'channel 1');
      });

      it('infers the last 4-D node (conv/Relu, before the Reshape) and upsamples', async () => {
        const cam = await camOf(graphToy, x, 0, { relu: false, upsample: false });
        assert.strictEqual(cam.layer, 'conv/Relu');
        assertClose(cam.values, SIGNED_AT_RELU.flat());
        const up = await camOf(graphToy, x, 0);
        assert.deepStrictEqual(up.shape, [1, 4, 4, 1]);
        assertClose(up.values, upsample2to4(SIGNED_AT_RELU));
      });

      it('rejects unknown and non-spatial nodes', async () => {
        await rejectsLens(() => camOf(graphToy, x, 0, { layer: 'nope' }), 'INVALID_INPUT', "no node named 'nope'");
        await rejectsLens(() => camOf(graphToy, x, 0, { layer: 'dense/MatMul' }), 'INVALID_INPUT', /4-D/, 'dense/MatMul');
      });

      it('leaks no tensors', async () => {
        await camOf(graphToy, x, 0); // warm up compilation caches
        const before = tf.memory().numTensors;
        await camOf(graphToy, x, 0);
        await camOf(graphToy, x, 0, { layer: 'conv/BiasAdd', relu: false, upsample: false });
        await rejectsLens(() => camOf(graphToy, x, 0, { layer: 'dense/MatMul' }), 'INVALID_INPUT');
        assert.strictEqual(tf.memory().numTensors, before);
      });
    });

    describe('layer inference', () => {
      it('the example MNIST CNN (conv1, pool1, conv2, pool2, flatten, …): conv2, not the pooling after it', async () => {
        const mnist = await loadCheckpoint(MNIST);
        try {
          assert.strictEqual(gradCamLayer(mnist.model as tf.LayersModel).name, 'conv2');
          const input = tf.tidy(() => tf.randomUniform([1, 28, 28, 1], 0, 1, 'float32', 7));
          const cam = await camOf(mnist, input, 3);
          input.dispose();
          assert.strictEqual(cam.layer, 'conv2');
          assert.deepStrictEqual(cam.shape, [1, 28, 28, 1]);
          assert.ok(cam.values.every((v) => v >= 0));
          assert.ok(cam.values.some((v) => v > 0));
        } finally {
          disposeCheckpoint(mnist);
        }
      });

      it('inside a Sequential block used as a layer of a functional model; matches a hand-written forward', async () => {
        const model = nestedCnn();
        const checkpoint = await layersCheckpoint(model);
        const loaded = checkpoint.model as tf.LayersModel;
        try {
          assert.strictEqual(gradCamLayer(loaded).name, 'block_conv2');
          const input = tf.tidy(() => tf.randomUniform([1, 8, 8, 1], -1, 1, 'float32', 5));
          const expected = tf.tidy(() => {
            // Grad-CAM by definition, on the plain-op forward: A = head(x), α = mean_hw ∂tail(A)_1/∂A.
            const { head, tail } = nestedCnnByHand(loaded);
            const a = head(input as tf.Tensor4D);
            const g = tf.grad((t: tf.Tensor) => tf.sum(tf.slice(tail(t as tf.Tensor4D), [0, 1], [1, 1])))(a);
            return Array.from(tf.sum(tf.mul(a, tf.mean(g, [1, 2], true)), -1).dataSync());
          });
          assert.ok(expected.some((v) => Math.abs(v) > 1e-4), 'the reference map is not all zero');
          const cam = await camOf(checkpoint, input, 1, { relu: false, upsample: false });
          assert.strictEqual(cam.layer, 'block_conv2');
          assert.deepStrictEqual(cam.shape, [1, 6, 6]);
          assertClose(cam.values, expected, 1e-4);

          // Naming the nested model itself taps its output, which is block_conv2's.
          const whole = await camOf(checkpoint, input, 1, { layer: 'block', relu: false, upsample: false });
          assert.strictEqual(whole.layer, 'block');
          assertClose(whole.values, expected, 1e-4);

          const first = await camOf(checkpoint, input, 1, { layer: 'block_conv1', upsample: false });
          assert.deepStrictEqual(first.shape, [1, 8, 8]);
          const up = await camOf(checkpoint, input, 1);
          assert.deepStrictEqual(up.shape, [1, 8, 8, 1]);
          input.dispose();
        } finally {
          loaded.dispose();
        }
      });

      it('repeats the upsampled map over the input channels', async () => {
        const checkpoint = await layersCheckpoint(smallCnn());
        const input = tf.tidy(() => tf.randomUniform([1, 6, 7, 2], 0, 1, 'float32', 3));
        const cam = await camOf(checkpoint, input, 0);
        input.dispose();
        disposeCheckpoint(checkpoint);
        assert.strictEqual(cam.layer, 'c1');
        assert.deepStrictEqual(cam.shape, [1, 6, 7, 2]);
        for (let i = 0; i < cam.values.length; i += 2) assert.strictEqual(cam.values[i], cam.values[i + 1]);
      });

      it('rejects a non-spatial layer, an unknown layer and a model without 4-D layers', async () => {
        await rejectsLens(() => camOf(toy, x, 0, { layer: 'dense' }), 'INVALID_INPUT', /4-D/, "'dense'", 'conv, conv_relu');
        await rejectsLens(() => camOf(toy, x, 0, { layer: 'nope' }), 'INVALID_INPUT', "no layer named 'nope'");
        const flat = await layersCheckpoint(mlp());
        const row = tf.ones([1, 4]);
        await rejectsLens(() => camOf(flat, row, 0, { upsample: false }), 'INVALID_INPUT', /not convolutional/);
        await rejectsLens(() => camOf(flat, row, 0), 'INVALID_INPUT', /upsample/);
        row.dispose();
        disposeCheckpoint(flat);
      });
    });

    describe('memory and cancellation', () => {
      it('leaks no tensors, including after errors', async () => {
        await camOf(toy, x, 0);
        const before = tf.memory().numTensors;
        await camOf(toy, x, 0);
        await camOf(toy, x, 1, { layer: 'conv', relu: false, upsample: false });
        await rejectsLens(() => camOf(toy, x, 0, { layer: 'dense' }), 'INVALID_INPUT');
        assert.strictEqual(tf.memory().numTensors, before);
      });

      it('a cancelled run rejects and leaks nothing', async () => {
        const before = tf.memory().numTensors;
        const controller = new AbortController();
        controller.abort();
        await assert.rejects(
          gradCam.run({ checkpoint: toy, x, target: 0 }, { method: 'grad-cam' }, quietContext(controller.signal)),
          (err: Error) => err.name === 'AbortError',
        );
        assert.strictEqual(tf.memory().numTensors, before);
      });

      it('reports progress once done', async () => {
        const calls: [number, number][] = [];
        const result = await gradCam.run({ checkpoint: toy, x, target: 0 }, { method: 'grad-cam' }, { signal: new AbortController().signal, onProgress: (d, t) => calls.push([d, t]) });
        result.values.dispose();
        assert.deepStrictEqual(calls, [[1, 1]]);
      });
    });
  });
}
