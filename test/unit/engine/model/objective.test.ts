/**
 * Objectives against closed forms on models with a known softmax (z = x·W), and against central
 * finite differences on a nonlinear MLP; every evaluation leaves the tensor count where it was.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import type { Objective } from '../../../../src/protocol/objective';
import { classObjective, objectiveFunction, parseObjective } from '../../../../src/engine/model/objective';
import { embeddingLayer, inputSubject, layerSubject } from '../../../../src/engine/model/subject';
import { gradient } from '../../../../src/engine/saliency/gradient';
import { integratedGradients } from '../../../../src/engine/saliency/integratedGradients';
import { quietContext } from '../../../../src/engine/common/context';
import { asCheckpoint, randomMlp } from '../../../helpers/toyModels';
import { withDefaults } from '../../../../src/protocol/options';

/** W [3 features, 4 classes]. */
const W = [
  [0.5, -1, 2, 0.1],
  [1.5, 0.3, -0.7, 0.2],
  [-0.4, 0.8, 0.6, -1.2],
];
const X = [0.3, -0.8, 1.1];
const column = (j: number) => W.map((row) => row[j]);
const logits = (x: number[]) => W[0].map((_, j) => x.reduce((s, v, a) => s + v * W[a][j], 0));
const softmax = (z: number[]) => {
  const e = z.map((v) => Math.exp(v - Math.max(...z)));
  const s = e.reduce((a, b) => a + b, 0);
  return e.map((v) => v / s);
};
const logSumExp = (z: number[]) => Math.max(...z) + Math.log(z.reduce((s, v) => s + Math.exp(v - Math.max(...z)), 0));

/** z = x·W, with a softmax activation on the same layer, or none (logits out). */
function linear(activation: 'softmax' | 'linear'): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, useBias: false, activation })] });
  model.layers[0].setWeights([tf.tensor2d(W)]);
  return model;
}

/** The objective's value and input gradient at x, with the tensor count checked. */
function evaluate(model: tf.LayersModel, objective: Objective, x: number[] | number[][], shape?: number[]): { value: number[]; grad: number[] } {
  const input = tf.tensor(x.flat(), shape ?? [1, x.length]);
  const before = tf.memory().numTensors;
  const subject = inputSubject(asCheckpoint(model), input, objective);
  const [value, grad] = tf.tidy(() => [Array.from(subject.forward(input).dataSync()), Array.from(subject.gradient(input).dataSync())]);
  subject.dispose();
  assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
  input.dispose();
  return { value, grad };
}

function close(actual: number[], expected: number[], tol: number, what: string): void {
  assert.strictEqual(actual.length, expected.length, what);
  actual.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) <= tol * (1 + Math.abs(expected[i])), `${what}[${i}]: ${v} vs ${expected[i]}`));
}

describe('model/objective', () => {
  let logitModel: tf.LayersModel;
  let softmaxModel: tf.LayersModel;
  before(async () => {
    await tf.setBackend('cpu');
    logitModel = linear('linear');
    softmaxModel = linear('softmax');
  });
  after(() => {
    logitModel.dispose();
    softmaxModel.dispose();
  });

  const z = logits(X);
  const p = softmax(z);

  it('class in output space is the output column, as the target option has always meant', () => {
    const onLogits = evaluate(logitModel, classObjective(2), X);
    close(onLogits.value, [z[2]], 1e-6, 'z_2');
    close(onLogits.grad, column(2), 1e-6, '∂z_2/∂x = W_2');
    const onProbabilities = evaluate(softmaxModel, classObjective(2), X);
    close(onProbabilities.value, [p[2]], 1e-6, 'p_2');
  });

  it('class probability: ∂p_i/∂x = p_i (W_i − Σ_j p_j W_j), from logits or from a softmax output', () => {
    const mean = W.map((row) => row.reduce((s, w, j) => s + p[j] * w, 0));
    const expected = column(1).map((w, a) => p[1] * (w - mean[a]));
    for (const model of [logitModel, softmaxModel]) {
      const { value, grad } = evaluate(model, { kind: 'class', index: 1, space: 'probability' }, X);
      close(value, [p[1]], 1e-6, 'p_1');
      close(grad, expected, 1e-5, '∂p_1/∂x');
    }
  });

  it('class logit: the final softmax is removed, so ∂z_i/∂x = W_i on a softmax model too', () => {
    for (const model of [logitModel, softmaxModel]) {
      const { value, grad } = evaluate(model, { kind: 'class', index: 3, space: 'logit' }, X);
      close(value, [z[3]], 1e-6, 'z_3');
      close(grad, column(3), 1e-6, 'W_3');
    }
  });

  it('class logit is refused where a probability output cannot be undone', () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 4, useBias: false }), tf.layers.softmax()] });
    model.layers[0].setWeights([tf.tensor2d(W)]);
    const x = tf.tensor2d([X]);
    assert.throws(() => tf.tidy(() => inputSubject(asCheckpoint(model), x, { kind: 'class', index: 0, space: 'logit' }).forward(x)), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST' && /probability/.test(err.message));
    // A margin there is still the logit margin: log p_t − log p_a = z_t − z_a.
    const { value, grad } = evaluate(model, { kind: 'margin', target: 0, against: 2 }, X);
    close(value, [z[0] - z[2]], 1e-5, 'z_0 − z_2');
    close(grad, column(0).map((w, a) => w - W[a][2]), 1e-4, 'W_0 − W_2');
    x.dispose();
    model.dispose();
  });

  it('margin against a class: z_t − z_a and W_t − W_a, on logits and on a softmax output', () => {
    for (const model of [logitModel, softmaxModel]) {
      const { value, grad } = evaluate(model, { kind: 'margin', target: 1, against: 0 }, X);
      close(value, [z[1] - z[0]], 1e-5, 'z_1 − z_0');
      close(grad, column(1).map((w, a) => w - W[a][0]), 1e-5, 'W_1 − W_0');
    }
  });

  it('margin against the runner-up: the best other class at each point of a batch', () => {
    const xs = [X, [-1, 0.5, 0.2], [2, 1, -1]];
    const { value } = evaluate(logitModel, { kind: 'margin', target: 2, against: 'runner-up' }, xs, [3, 3]);
    const expected = xs.map((x) => {
      const zz = logits(x);
      return zz[2] - Math.max(...zz.filter((_, j) => j !== 2));
    });
    close(value, expected, 1e-5, 'z_2 − max_{j≠2} z_j');
    // The gradient is W_2 − W_r for the runner-up r at X.
    const runnerUp = z.map((v, j) => (j === 2 ? -Infinity : v)).reduce((best, v, j, all) => (v > all[best] ? j : best), 0);
    const { grad } = evaluate(logitModel, { kind: 'margin', target: 2, against: 'runner-up' }, X);
    close(grad, column(2).map((w, a) => w - W[a][runnerUp]), 1e-5, 'W_2 − W_r');
  });

  it('continuation on a [batch, vocabulary] output: log p(token) = z_t − logsumexp z, gradient W_t − Σ p_j W_j', () => {
    const mean = W.map((row) => row.reduce((s, w, j) => s + p[j] * w, 0));
    for (const model of [logitModel, softmaxModel]) {
      const { value, grad } = evaluate(model, { kind: 'continuation', tokens: [1] }, X);
      close(value, [z[1] - logSumExp(z)], 1e-5, 'log p_1');
      close(grad, column(1).map((w, a) => w - mean[a]), 1e-5, '∂ log p_1/∂x');
    }
  });

  it('continuation on [batch, positions, vocabulary] scores: Σᵢ log softmax(z[T−m−1+i])[cᵢ], teacher-forced', () => {
    // The output is the input itself, reshaped to 5 positions × 4 tokens: z is known exactly.
    const T = 5;
    const V = 4;
    const model = tf.sequential({ layers: [tf.layers.reshape({ inputShape: [T * V], targetShape: [T, V] })] });
    const x = Array.from({ length: T * V }, (_, i) => Math.sin(i * 1.7) * 2);
    const tokens = [3, 0, 2];
    const m = tokens.length;
    const row = (t: number) => x.slice(t * V, (t + 1) * V);
    let expected = 0;
    const grad = new Array<number>(T * V).fill(0);
    tokens.forEach((c, i) => {
      const position = T - m - 1 + i;
      const zz = row(position);
      expected += zz[c] - logSumExp(zz);
      softmax(zz).forEach((q, j) => (grad[position * V + j] = (j === c ? 1 : 0) - q));
    });
    const result = evaluate(model, { kind: 'continuation', tokens }, x);
    close(result.value, [expected], 1e-5, 'log p(continuation)');
    close(result.grad, grad, 1e-5, 'onehot − softmax at the predicting positions, 0 elsewhere');
    assert.throws(() => evaluate(model, { kind: 'continuation', tokens: [0, 1, 2, 3, 0] }, x), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
    assert.throws(() => evaluate(model, { kind: 'continuation', tokens: [4] }, x), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST');
    model.dispose();
  });

  it('every objective matches central finite differences on a nonlinear MLP', () => {
    const model = randomMlp(3);
    const inputs = model.inputs[0].shape[1] as number;
    const classes = model.outputs[0].shape[1] as number;
    const x0 = Array.from({ length: inputs }, (_, i) => Math.cos(i + 0.5));
    const objectives: Objective[] = [
      classObjective(1),
      { kind: 'class', index: 0, space: 'probability' },
      { kind: 'class', index: classes - 1, space: 'logit' },
      { kind: 'margin', target: 0, against: 1 },
      { kind: 'margin', target: 1, against: 'runner-up' },
      { kind: 'continuation', tokens: [0] },
    ];
    for (const objective of objectives) {
      const { grad } = evaluate(model, objective, x0);
      const f = objectiveFunction(asCheckpoint(model), objective);
      const at = (x: number[]) => tf.tidy(() => f(tf.tensor2d([x])).dataSync()[0]);
      const eps = 1e-2;
      const fd = x0.map((_, i) => {
        const up = [...x0];
        const down = [...x0];
        up[i] += eps;
        down[i] -= eps;
        return (at(up) - at(down)) / (2 * eps);
      });
      const scale = Math.max(...fd.map(Math.abs));
      grad.forEach((g, i) => assert.ok(Math.abs(g - fd[i]) <= 2e-3 * scale + 1e-4, `${JSON.stringify(objective)}[${i}]: ${g} vs ${fd[i]}`));
    }
    model.dispose();
  });

  it('methods run on the subject: a margin objective goes through gradient and IG (completeness holds)', async () => {
    const x = tf.tensor2d([X]);
    const before = tf.memory().numTensors;
    const objective: Objective = { kind: 'margin', target: 1, against: 0 };
    const g = await gradient.run({ checkpoint: asCheckpoint(softmaxModel), x, target: 1, objective }, withDefaults('saliency', { method: 'gradient' as const }), quietContext());
    close(Array.from(g.values.dataSync()), column(1).map((w, a) => w - W[a][0]), 1e-5, 'gradient of the margin');
    // The margin is linear in x here: IG from zeros is exactly x ⊙ (W_1 − W_0), summing to the margin.
    const ig = await integratedGradients.run({ checkpoint: asCheckpoint(softmaxModel), x, target: 1, objective }, withDefaults('saliency', { method: 'integrated-gradients' as const, steps: 4 }), quietContext());
    close(Array.from(ig.values.dataSync()), X.map((v, a) => v * (W[a][1] - W[a][0])), 1e-5, 'IG of the margin');
    assert.ok(Math.abs(ig.completenessDelta as number) < 1e-5);
    tf.dispose([g.values, ig.values]);
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
    x.dispose();
  });

  it("a subject at a layer's output equals the model's objective there, and differentiates the layers after it", () => {
    // ids → embedding (E) → flatten → dense (K): at the embedding's output, ∂z_j/∂e_{t,d} = K[t·d + d, j].
    const vocab = 5;
    const dim = 2;
    const length = 3;
    const model = tf.sequential({
      layers: [
        tf.layers.embedding({ inputDim: vocab, outputDim: dim, inputLength: length, name: 'emb' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, useBias: false, name: 'head' }),
      ],
    });
    const E = Array.from({ length: vocab }, (_, i) => [i * 0.3 - 0.5, 1 - i * 0.2]);
    const K = Array.from({ length: length * dim }, (_, i) => [Math.sin(i), Math.cos(i)]);
    model.getLayer('emb').setWeights([tf.tensor2d(E)]);
    model.getLayer('head').setWeights([tf.tensor2d(K)]);
    const ids = tf.tensor2d([[4, 0, 2]], [1, length], 'int32');
    const before = tf.memory().numTensors;
    const checkpoint = asCheckpoint(model);
    const atLayer = layerSubject(checkpoint, embeddingLayer(model) as tf.layers.Layer, ids, classObjective(1));
    const atInput = inputSubject(checkpoint, ids, classObjective(1));
    const [viaLayer, viaInput, grad] = tf.tidy(() => [atLayer.forward(atLayer.x).dataSync()[0], atInput.forward(ids).dataSync()[0], Array.from(atLayer.gradient(atLayer.x).dataSync())]);
    assert.ok(Math.abs(viaLayer - viaInput) < 1e-6);
    const flatE = [4, 0, 2].flatMap((id) => E[id]);
    assert.ok(Math.abs(viaInput - flatE.reduce((s, e, i) => s + e * K[i][1], 0)) < 1e-5);
    close(grad, K.map((k) => k[1]), 1e-6, '∂z_1/∂e = K_1');
    atLayer.dispose();
    atInput.dispose();
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
    ids.dispose();
    model.dispose();
  });
});

describe('model/objective: parseObjective (the wire form)', () => {
  it('accepts the three kinds, with output space by default', () => {
    assert.deepStrictEqual(parseObjective({ kind: 'class', index: 2 }), { kind: 'class', index: 2, space: 'output' });
    assert.deepStrictEqual(parseObjective({ kind: 'class', index: 0, space: 'logit' }), { kind: 'class', index: 0, space: 'logit' });
    assert.deepStrictEqual(parseObjective({ kind: 'margin', target: 1, against: 'runner-up' }), { kind: 'margin', target: 1, against: 'runner-up' });
    assert.deepStrictEqual(parseObjective({ kind: 'continuation', tokens: [5, 7] }), { kind: 'continuation', tokens: [5, 7] });
  });

  it('rejects malformed objectives with BAD_REQUEST naming the problem', () => {
    const cases: [unknown, RegExp][] = [
      [null, /kind/],
      [{ kind: 'logits' }, /unknown kind/],
      [{ kind: 'class', index: -1 }, /index/],
      [{ kind: 'class', index: 1, space: 'log' }, /space/],
      [{ kind: 'margin', target: 1, against: 1 }, /different/],
      [{ kind: 'margin', target: 1, against: 'best' }, /against/],
      [{ kind: 'continuation', tokens: [] }, /tokens/],
      [{ kind: 'continuation', tokens: [1.5] }, /tokens\[0\]/],
      [{ kind: 'class', index: 1, extra: true }, /unknown field 'extra'/],
    ];
    for (const [value, message] of cases) {
      assert.throws(() => parseObjective(value), (err: Error & { code?: string }) => err.code === 'BAD_REQUEST' && message.test(err.message), JSON.stringify(value));
    }
  });
});
