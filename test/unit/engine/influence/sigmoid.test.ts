/**
 * Influence on a one-unit sigmoid head (a binary classifier read as classes [1 − p, p]): its loss is
 * the binary cross-entropy of the logit, softplus(z) − y·z. Checked on L2-regularised logistic
 * regression against float64 closed forms written here, independent of the engine: per-example
 * gradients (σ − y)[x; 1] (confidently wrong examples too, whose p is exactly 0 or 1 in float32),
 * Hessian-vector products of Σ σ(1 − σ)[x; 1][x; 1]ᵀ / n, self-influence and TracIn against their
 * definitions, influence against leave-one-out retraining (Newton's method), the same scores from a
 * raw-logit model the sidecar declares sigmoid and from a graph model ending in Sigmoid, and the CLI.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CholeskyDecomposition, Matrix } from 'ml-matrix';
import { sampleCorrelation } from 'simple-statistics';
import { Engine } from '../../../../src/engine/engine';
import { quietContext } from '../../../../src/engine/common/context';
import { makeRng } from '../../../../src/engine/common/random';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { hessianVectorProduct } from '../../../../src/engine/influence/hvp';
import { Objective } from '../../../../src/engine/influence/objective';
import { chooseScope } from '../../../../src/engine/influence/scope';
import type { InfluenceResult } from '../../../../src/protocol/influence';
import { cli, requireBuiltCli } from '../../../helpers/cli';
import { writeGraphModel } from '../../../helpers/graphDef';
import { tempDir } from '../../../helpers/tempDir';

const D = 3;
const N = 80;
const LAMBDA = 0.01;

const sigmoid = (z: number) => 1 / (1 + Math.exp(-z));
/** Parameters laid out as a one-unit dense layer's weights: kernel [D, 1], then the bias. */
const logit = (theta: ArrayLike<number>, x: number[]) => theta[D] + x.reduce((s, v, a) => s + v * theta[a], 0);
const bce = (theta: ArrayLike<number>, x: number[], y: number) => {
  const z = logit(theta, x);
  return Math.max(z, 0) + Math.log1p(Math.exp(-Math.abs(z))) - y * z;
};
const withOne = (x: number[]) => [...x, 1];
const exampleGradient = (theta: ArrayLike<number>, x: number[], y: number) => withOne(x).map((v) => (sigmoid(logit(theta, x)) - y) * v);

/** Hessian of the mean BCE over rows (without λ): Σ σ(1 − σ)[x; 1][x; 1]ᵀ / n. */
function hessian(theta: ArrayLike<number>, xs: number[][]): Matrix {
  const h = new Matrix(D + 1, D + 1);
  for (const x of xs) {
    const s = sigmoid(logit(theta, x));
    const u = withOne(x);
    for (let i = 0; i <= D; i++) for (let j = 0; j <= i; j++) h.set(i, j, h.get(i, j) + (s * (1 - s) * u[i] * u[j]) / xs.length);
  }
  // Filled below the diagonal and mirrored: Cholesky demands exact symmetry.
  for (let i = 0; i <= D; i++) for (let j = 0; j < i; j++) h.set(j, i, h.get(i, j));
  return h;
}

/** Newton's method to a tight optimum of mean BCE + (λ/2)‖θ‖² over rows, from theta0. */
function fit(xs: number[][], ys: number[], theta0?: ArrayLike<number>): Float64Array {
  const theta = theta0 ? Float64Array.from(theta0) : new Float64Array(D + 1);
  for (let iter = 0; iter < 50; iter++) {
    const h = hessian(theta, xs);
    const g = new Float64Array(D + 1);
    xs.forEach((x, r) => exampleGradient(theta, x, ys[r]).forEach((v, i) => (g[i] += v / xs.length)));
    for (let i = 0; i <= D; i++) {
      g[i] += LAMBDA * theta[i];
      h.set(i, i, h.get(i, i) + LAMBDA);
    }
    const step = new CholeskyDecomposition(h).solve(Matrix.columnVector(Array.from(g))).getColumn(0);
    step.forEach((v, i) => (theta[i] -= v));
    if (Math.hypot(...step) < 1e-12) break;
  }
  return theta;
}

/** A seeded, noisy, linearly separable-ish binary problem. */
function dataset(): { x: number[][]; y: number[] } {
  const random = makeRng(11);
  const truth = [1.5, -2, 0.7, 0.3];
  const x = Array.from({ length: N }, () => Array.from({ length: D }, () => 4 * random() - 2));
  const y = x.map((row) => (random() < sigmoid(logit(truth, row)) ? 1 : 0));
  return { x, y };
}

/** A logistic-regression model with weights theta: a sigmoid Dense, or (raw) the logit alone. */
function asModel(theta: ArrayLike<number>, raw = false): tf.Sequential {
  const model = tf.sequential({ layers: [tf.layers.dense({ units: 1, inputShape: [D], ...(raw ? {} : { activation: 'sigmoid' }) })] });
  tf.tidy(() => model.layers[0].setWeights([tf.tensor2d(Array.from(theta).slice(0, D), [D, 1]), tf.tensor1d([theta[D]])]));
  return model;
}

const relativeError = (a: ArrayLike<number>, b: ArrayLike<number>) => Math.hypot(...Array.from(a, (v, i) => v - b[i])) / Math.hypot(...Array.from(b));

describe('influence on a sigmoid head: binary cross-entropy of the logit (logistic regression, closed forms)', function () {
  this.timeout(300_000);
  const data = dataset();
  const theta = fit(data.x, data.y);
  const testX = [0.4, 0.9, -0.3];
  // The test point's less likely class: its loss moves most when training points go.
  const testY = sigmoid(logit(theta, testX)) > 0.5 ? 0 : 1;
  const engine = new Engine(() => {}, { helper: false });
  const files = { sigmoid: '', raw: '', graph: '', train: '', input: '' };

  before(async () => {
    await engine.useBackend('cpu');
    const dir = tempDir();
    files.train = path.join(dir, 'train.json');
    fs.writeFileSync(files.train, JSON.stringify(data));
    files.input = path.join(dir, 'test.json');
    fs.writeFileSync(files.input, JSON.stringify([testX]));
    const save = async (raw: boolean, name: string) => {
      const model = asModel(theta, raw);
      const file = await saveLayersModel(model, path.join(dir, name));
      model.dispose();
      // The raw model's head is a logit: the sidecar says how it is read.
      fs.writeFileSync(path.join(path.dirname(file), 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, data: { train: files.train }, output: { ...(raw ? { kind: 'sigmoid' } : {}), labels: ['no', 'yes'] } }));
      return file;
    };
    files.sigmoid = await save(false, 'sigmoid');
    files.raw = await save(true, 'raw');
    const nodes = [
      { name: 'dense/MatMul', op: 'MatMul', input: ['x', 'dense/kernel'] },
      { name: 'dense/BiasAdd', op: 'BiasAdd', input: ['dense/MatMul', 'dense/bias'] },
      { name: 'Identity', op: 'Sigmoid', input: ['dense/BiasAdd'] },
    ];
    const weights = [
      { name: 'dense/kernel', shape: [D, 1], values: Array.from(theta).slice(0, D) },
      { name: 'dense/bias', shape: [1], values: [theta[D]] },
    ];
    files.graph = writeGraphModel([-1, D], weights, nodes, path.join(dir, 'graph'));
    fs.writeFileSync(path.join(dir, 'graph', 'model.lens.json'), JSON.stringify({ input: { kind: 'tensor' }, data: { train: files.train }, output: { labels: ['no', 'yes'] } }));
  });
  after(() => engine.dispose());

  const exact = { damping: LAMBDA, solver: 'exact' as const };
  const ask = (modelPath: string, options: object) =>
    engine.run('influence', { modelPath, train: files.train, top: N, ...options }, quietContext()) as Promise<InfluenceResult>;
  const byIndex = (result: InfluenceResult) => {
    const scores = new Float64Array(N).fill(NaN);
    for (const s of result.scores) scores[s.index] = s.score;
    return scores;
  };

  for (const raw of [false, true]) {
    it(`${raw ? 'raw logit' : 'sigmoid'} output: per-example gradients equal (σ(z) − y)[x; 1], confidently wrong examples included`, async () => {
      // Far from the optimum: |z| up to ≈ 60, where float32 σ is exactly 0 or 1 and log p has no gradient.
      const far = theta.map((v) => 12 * v);
      const before = tf.memory().numTensors;
      const model = asModel(far, raw);
      const objective = new Objective(model, chooseScope(model), 0, { squash: 'sigmoid', activation: raw ? 'linear' : 'sigmoid' });
      const flipped = data.y.map((y, i) => (i % 4 === 0 ? 1 - y : y));
      const x = tf.tensor2d(data.x);
      const train = objective.embed(x, Int32Array.from(flipped));
      x.dispose();
      const rows = await objective.exampleGradients(train, quietContext());
      const wrong = data.x.filter((x, i) => Math.abs(logit(far, x)) > 20 && (logit(far, x) > 0 ? 0 : 1) === flipped[i]).length;
      assert.ok(wrong >= 5, `${wrong} confidently wrong examples`);
      data.x.forEach((x, i) => {
        const closed = exampleGradient(far, x, flipped[i]);
        const got = rows.data.subarray(i * (D + 1), (i + 1) * (D + 1));
        closed.forEach((v, k) => assert.ok(Math.abs(got[k] - v) <= 1e-4 * Math.max(1, Math.abs(v)), `example ${i}, parameter ${k}: ${got[k]} vs ${v}`));
        // The one-at-a-time path (any scope) gives the same.
        Array.from(objective.exampleGradient(train, i)).forEach((v, k) => assert.ok(Math.abs(v - closed[k]) <= 1e-4 * Math.max(1, Math.abs(closed[k]))));
      });
      // The losses are finite BCE of the logit, however wrong the example.
      objective.losses(train).forEach((l, i) => assert.ok(Math.abs(l - bce(far, data.x[i], flipped[i])) <= 1e-4 * Math.max(1, l), `loss ${i}: ${l}`));
      train.features.dispose();
      model.dispose();
      assert.strictEqual(tf.memory().numTensors, before, 'no tensors left behind');
    });
  }

  it('Hessian-vector products equal Σ σ(1 − σ)[x; 1][x; 1]ᵀ v / n', () => {
    const off = theta.map((v, i) => v + 0.3 * Math.sin(i + 1));
    const model = asModel(off);
    const objective = new Objective(model, chooseScope(model), 0, { squash: 'sigmoid', activation: 'sigmoid' });
    const x = tf.tensor2d(data.x);
    const train = objective.embed(x, Int32Array.from(data.y));
    x.dispose();
    const h = hessian(off, data.x);
    const hvp = hessianVectorProduct(objective, train);
    const random = makeRng(5);
    for (let t = 0; t < 5; t++) {
      const v = Float64Array.from({ length: D + 1 }, () => random() - 0.5);
      const product = h.mmul(Matrix.columnVector(Array.from(v))).getColumn(0);
      const error = relativeError(hvp(v), product);
      assert.ok(error < 1e-3, `relative error ${error}`);
    }
    train.features.dispose();
    model.dispose();
  });

  it('influence agrees with leave-one-out retraining (Pearson r ≥ 0.99, slope ≈ 1), and leaves no tensors behind', async () => {
    const run = () => ask(files.sigmoid, { method: 'influence', inputPath: files.input, label: testY, ...exact });
    const result = await run();
    assert.strictEqual(result.test?.labelName, ['no', 'yes'][testY]);
    assert.ok(Math.abs((result.test?.loss ?? NaN) - bce(theta, testX, testY)) < 1e-4, `test loss ${result.test?.loss}`);
    const before = tf.memory().numTensors;
    await run();
    assert.strictEqual(tf.memory().numTensors, before, 'tensors leaked');
    const scores = byIndex(result);
    const top = Array.from(scores.keys()).sort((a, b) => Math.abs(scores[b]) - Math.abs(scores[a])).slice(0, 40);
    const predicted = top.map((i) => scores[i] / N);
    const actual = top.map((i) => {
      const rows = data.x.map((_, j) => j).filter((j) => j !== i);
      const without = fit(rows.map((j) => data.x[j]), rows.map((j) => data.y[j]), theta);
      return bce(without, testX, testY) - bce(theta, testX, testY);
    });
    const r = sampleCorrelation(predicted, actual);
    assert.ok(r >= 0.99, `Pearson r = ${r.toFixed(4)}`);
    const slope = predicted.reduce((s, p, k) => s + p * actual[k], 0) / predicted.reduce((s, p) => s + p * p, 0);
    assert.ok(slope > 0.8 && slope < 1.25, `actual ≈ ${slope.toFixed(3)} × predicted`);
  });

  it('self-influence equals gᵢᵀ(H + λI)⁻¹gᵢ and TracIn (one checkpoint) equals η gₜ·gᵢ, from the closed forms', async () => {
    const damped = hessian(theta, data.x);
    for (let i = 0; i <= D; i++) damped.set(i, i, damped.get(i, i) + LAMBDA);
    const cholesky = new CholeskyDecomposition(damped);
    const self = byIndex(await ask(files.sigmoid, { method: 'self', ...exact }));
    const gt = exampleGradient(theta, testX, testY);
    const tracin = byIndex(await ask(files.sigmoid, { method: 'tracin', inputPath: files.input, label: testY, checkpoints: [{ path: files.sigmoid, learningRate: 0.5 }] }));
    data.x.forEach((x, i) => {
      const g = exampleGradient(theta, x, data.y[i]);
      const exactSelf = cholesky.solve(Matrix.columnVector(g)).getColumn(0).reduce((s, v, k) => s + v * g[k], 0);
      assert.ok(Math.abs(self[i] - exactSelf) <= 1e-3 * Math.max(1, exactSelf), `self ${i}: ${self[i]} vs ${exactSelf}`);
      const exactTracIn = 0.5 * g.reduce((s, v, k) => s + v * gt[k], 0);
      assert.ok(Math.abs(tracin[i] - exactTracIn) <= 1e-4 * Math.max(1, Math.abs(exactTracIn)), `tracin ${i}: ${tracin[i]} vs ${exactTracIn}`);
    });
  });

  for (const method of ['influence', 'self'] as const) {
    it(`${method}: a raw-logit model the sidecar declares sigmoid, and a graph model ending in Sigmoid, score as the sigmoid model does`, async () => {
      const options = method === 'influence' ? { method, inputPath: files.input, label: testY, ...exact } : { method, ...exact };
      const reference = byIndex(await ask(files.sigmoid, options));
      for (const modelPath of [files.raw, files.graph]) {
        const result = await ask(modelPath, options);
        const scores = byIndex(result);
        scores.forEach((s, i) => assert.ok(Math.abs(s - reference[i]) <= 1e-4 * Math.max(1, Math.abs(reference[i])), `${path.basename(path.dirname(modelPath))} example ${i}: ${s} vs ${reference[i]}`));
        if (modelPath === files.graph) assert.deepStrictEqual(result.paramScope.layers, ['dense/MatMul']);
      }
    });
  }

  it('a multilabel head is refused with the reason', async () => {
    const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [3], units: 2, activation: 'sigmoid' })] });
    const dir = tempDir();
    const modelPath = await saveLayersModel(model, dir);
    model.dispose();
    await assert.rejects(engine.run('influence', { modelPath, method: 'self', train: files.train }, quietContext()), /output '\w+' is a multilabel head \(a label vector per example\)/);
  });

  it('the CLI: model-lens influence on the sigmoid model prints one JSON object with the closed-form test loss', () => {
    requireBuiltCli();
    const { code, stdout, stderr } = cli('influence', files.sigmoid, '--input', files.input, '--label', String(testY), '--train', files.train, '--top', '3', '--no-cache', '--json', '--backend', 'cpu');
    assert.strictEqual(code, 0, stderr);
    const lines = stdout.trim().split('\n');
    assert.strictEqual(lines.length, 1, 'exactly one line on stdout');
    const result = JSON.parse(lines[0]) as InfluenceResult;
    assert.strictEqual(result.scores.length, 6);
    assert.ok(Math.abs((result.test?.loss ?? NaN) - bce(theta, testX, testY)) < 1e-4, `test loss ${result.test?.loss} vs ${bce(theta, testX, testY)}`);
    assert.deepStrictEqual(result.test?.prediction.map((p) => p.label).sort(), ['no', 'yes']);
  });
});
