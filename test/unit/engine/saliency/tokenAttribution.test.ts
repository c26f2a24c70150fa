import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import type { SaliencyMethod } from '../../../../src/protocol/saliency';
import type { Checkpoint } from '../../../../src/engine/checkpoint/load';
import { loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { Engine } from '../../../../src/engine/engine';
import { tokenize } from '../../../../src/engine/data/text';
import { embeddingLayer, tokenAttributionMethod } from '../../../../src/engine/saliency/tokenAttribution';
import { rejectsLens, tensorsWithoutCachedInputs } from '../../../helpers/assertLens';
import { disposeCheckpoint } from '../../../../src/engine/checkpoint/load';
import { withDefaults } from '../../../../src/protocol/options';

const ROOT = path.join(__dirname, '../../../../..');
const EXAMPLE = path.join(ROOT, 'examples/text-sentiment');
const MODEL = path.join(EXAMPLE, 'model.json');
const MIXED = path.join(EXAMPLE, 'samples/mixed-superb-terrible.txt');

const quiet = (): RunContext => ({ signal: new AbortController().signal, onProgress: () => {} });
const asCheckpoint = (model: tf.LayersModel) => ({ model }) as unknown as Checkpoint;

async function attribute(method: SaliencyMethod, checkpoint: Checkpoint, ids: number[], target: number, extra = {}) {
  const x = tf.tensor2d([ids], [1, ids.length], 'int32');
  try {
    const r = await tokenAttributionMethod(method).run({ checkpoint, x, target }, withDefaults('saliency', { method, ...extra }), quiet());
    const values = Array.from(await r.values.data());
    const shape = r.values.shape;
    r.values.dispose();
    return { values, shape, completenessDelta: r.completenessDelta };
  } finally {
    x.dispose();
  }
}

/**
 * Embedding E (5 tokens × 3) → mean over the 4 positions → dense 2 (linear). For target 0 with
 * weights w = [1, −1, 2]: F(x) = w · mean_t E[x_t] + 0.5 is linear in the embedding output, so IG
 * from the zero embedding is exactly gradient × (E(x) − 0), per token w · E[x_t] / 4.
 */
function linearTextModel(nested: boolean): tf.LayersModel {
  const E = [
    [0, 0, 0],
    [1, 0, 0],
    [0, 2, 0],
    [0, 0, 3],
    [1, 1, 1],
  ];
  const model = tf.sequential();
  if (nested) {
    const inner = tf.sequential({ name: 'inner' });
    inner.add(tf.layers.embedding({ name: 'emb', inputDim: 5, outputDim: 3, inputLength: 4, inputShape: [4], weights: [tf.tensor2d(E)] }));
    model.add(inner);
  } else {
    model.add(tf.layers.inputLayer({ inputShape: [4], dtype: 'int32' }));
    model.add(tf.layers.embedding({ name: 'emb', inputDim: 5, outputDim: 3, inputLength: 4, weights: [tf.tensor2d(E)] }));
  }
  model.add(tf.layers.globalAveragePooling1d({}));
  model.add(tf.layers.dense({ units: 2, weights: [tf.tensor2d([[1, 0], [-1, 0], [2, 1]]), tf.tensor1d([0.5, 0])] }));
  return model;
}

describe('token attribution at the embedding output', function () {
  this.timeout(300_000);
  before(async () => {
    await tf.setBackend('cpu');
  });

  for (const nested of [false, true]) {
    it(`closed form on a linear model after the embedding${nested ? ' (embedding inside a nested model)' : ''}`, async () => {
      const model = linearTextModel(nested);
      assert.strictEqual(embeddingLayer(model)?.name, 'emb');
      const cp = asCheckpoint(model);
      const ids = [1, 2, 3, 4];
      // w · E[id] / 4 for ids 1..4: (1)/4, (−2)/4, (6)/4, (1 − 1 + 2)/4.
      const expected = [0.25, -0.5, 1.5, 0.5];
      const ig = await attribute('integrated-gradients', cp, ids, 0, { steps: 8 });
      assert.deepStrictEqual(ig.shape, [1, 4]);
      ig.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `IG[${i}] = ${v}, expected ${expected[i]}`));
      assert.ok(Math.abs(ig.completenessDelta as number) < 1e-5, 'Σ IG = F(x) − F(0 embedding) = 1.75');
      const gxi = await attribute('gradient-x-input', cp, ids, 0);
      gxi.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `gradient×input[${i}] = ${v}`));
      // ∂F/∂e_t = w / 4 at every position: L2 norm √6 / 4.
      const g = await attribute('gradient', cp, ids, 0);
      g.values.forEach((v) => assert.ok(Math.abs(v - Math.sqrt(6) / 4) < 1e-5, `‖gradient‖ = ${v}`));
      // A linear model's gradient does not change under noise: SmoothGrad = the gradient.
      const sg = await attribute('smoothgrad', cp, ids, 0, { samples: 3 });
      sg.values.forEach((v) => assert.ok(Math.abs(v - Math.sqrt(6) / 4) < 1e-5, `SmoothGrad = ${v}`));
      // Occlusion with the pad id 0 (embedding row 0 = zeros): F(x) − F(x without token t) = w · E[x_t] / 4.
      const occ = await attribute('occlusion', cp, ids, 0);
      occ.values.forEach((v, i) => assert.ok(Math.abs(v - expected[i]) < 1e-5, `occlusion[${i}] = ${v}`));
      // Target 1 (weights [0, 0, 1]): E[3] and E[4] carry 3/4 and 1/4.
      const ig1 = await attribute('integrated-gradients', cp, ids, 1, { steps: 4 });
      [0, 0, 0.75, 0.25].forEach((e, i) => assert.ok(Math.abs(ig1.values[i] - e) < 1e-5, `target 1: IG[${i}] = ${ig1.values[i]}`));
      model.dispose();
    });
  }

  describe('on examples/text-sentiment', () => {
    let checkpoint: Checkpoint;
    let vocab: Map<string, number>;
    let lexicon: Record<string, number>;
    let sentences: { text: string; label: number }[];
    before(async () => {
      checkpoint = await loadCheckpoint(MODEL);
      const words = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'vocab.json'), 'utf8')) as string[];
      vocab = new Map(words.map((w, i) => [w, i] as const));
      lexicon = JSON.parse(fs.readFileSync(path.join(EXAMPLE, 'data/lexicon.json'), 'utf8'));
      sentences = fs
        .readFileSync(path.join(EXAMPLE, 'data/test.jsonl'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l));
    });
    after(() => disposeCheckpoint(checkpoint));
    const encode = (text: string) => {
      const ids = tokenize(text, true).map((t) => vocab.get(t) ?? 1);
      return [...ids, ...new Array<number>(16 - ids.length).fill(0)];
    };
    const predicted = (ids: number[]) => tf.tidy(() => (checkpoint.model.predict(tf.tensor2d([ids], [1, 16], 'int32')) as tf.Tensor).argMax(-1).dataSync()[0]);

    it('IG completeness on the embedding path: |Σ attr − (F(x) − F(0))| ≤ 1% of |F(x) − F(0)| at 64 steps', async () => {
      for (const { text } of sentences.slice(0, 10)) {
        const ids = encode(text);
        const r = await attribute('integrated-gradients', checkpoint, ids, predicted(ids), { steps: 64 });
        const delta = r.completenessDelta as number;
        const sum = r.values.reduce((a, b) => a + b, 0);
        const change = sum - delta; // F(x) − F(zero embedding)
        assert.ok(Math.abs(change) > 0.05, `the prediction moves away from the baseline (${change})`);
        assert.ok(Math.abs(delta) <= 0.01 * Math.abs(change), `delta ${delta} vs F(x) − F(0) = ${change} on "${text}"`);
      }
    });

    it('planted effect: the valence words get the largest |IG| and the largest occlusion drop', async () => {
      const held = sentences.slice(0, 40);
      let igHits = 0;
      let occlusionHits = 0;
      const misses: string[] = [];
      for (const { text } of held) {
        const words = tokenize(text, true);
        const ids = encode(text);
        const target = predicted(ids);
        const top = (values: number[]) => values.reduce((best, v, i) => (Math.abs(v) > Math.abs(values[best]) ? i : best), 0);
        const ig = await attribute('integrated-gradients', checkpoint, ids, target, { steps: 32 });
        const occ = await attribute('occlusion', checkpoint, ids, target);
        const igTop = words[top(ig.values)];
        const occTop = words[top(occ.values)];
        if (igTop !== undefined && igTop in lexicon) igHits++;
        else misses.push(`IG: '${igTop}' in "${text}"`);
        if (occTop !== undefined && occTop in lexicon) occlusionHits++;
        else misses.push(`occlusion: '${occTop}' in "${text}"`);
      }
      const igRate = igHits / held.length;
      const occlusionRate = occlusionHits / held.length;
      console.log(`      planted effect on ${held.length} held-out sentences: top-|IG| token is a valence word in ${(igRate * 100).toFixed(1)}%, top-|occlusion| in ${(occlusionRate * 100).toFixed(1)}%`);
      assert.ok(igRate >= 0.9, `IG rate ${igRate}; misses: ${misses.join('; ')}`);
      assert.ok(occlusionRate >= 0.9, `occlusion rate ${occlusionRate}; misses: ${misses.join('; ')}`);
    });

    it('leaves no tensors behind, whatever the method', async () => {
      const ids = encode('the popcorn was superb but the ending was terrible');
      for (const method of ['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad', 'occlusion'] as const) {
        const before = tf.memory().numTensors;
        await attribute(method, checkpoint, ids, 1, { steps: 8, samples: 4, internalBatch: 3 });
        assert.strictEqual(tf.memory().numTensors, before, method);
      }
    });
  });

  describe('through the saliency request', () => {
    const engine = new Engine();
    before(async () => {
      await engine.useBackend('cpu');
    });
    after(() => engine.dispose());

    it('integrated-gradients on a text sample: [16] per token, tokens, summary, no leaks', async () => {
      await engine.run('info', { modelPath: MODEL }, quiet());
      const before = tensorsWithoutCachedInputs(engine);
      const r = await engine.run('saliency', { modelPath: MODEL, inputPath: MIXED, method: 'integrated-gradients' }, quiet());
      assert.strictEqual(tensorsWithoutCachedInputs(engine), before);
      assert.deepStrictEqual(r.attribution.shape, [16]);
      assert.strictEqual(r.input.kind, 'text');
      assert.deepStrictEqual(r.input.tokens?.slice(0, 9), 'the popcorn was superb but the ending was terrible'.split(' '));
      assert.strictEqual(r.input.tokens?.length, 16);
      assert.strictEqual(r.targetLabel, 'positive');
      assert.match(r.summary, /^'superb' carries \d+% of \|IG\|$/);
      assert.ok(r.attribution.data[3] > 0 && r.attribution.data[8] < 0, 'superb pushes towards positive, terrible against');
      assert.ok(Math.abs(r.completenessDelta as number) < 0.01);
    });

    it('refuses Grad-CAM, image baselines and metrics on text', async () => {
      await rejectsLens(() => engine.run('saliency', { modelPath: MODEL, inputPath: MIXED, method: 'grad-cam' }, quiet()), 'INVALID_INPUT', 'Grad-CAM', 'text models');
      await rejectsLens(() => engine.run('saliency', { modelPath: MODEL, inputPath: MIXED, method: 'integrated-gradients', baseline: { kind: 'blur' } }, quiet()), 'BAD_REQUEST', 'zero embedding');
      await rejectsLens(() => engine.run('saliency', { modelPath: MODEL, inputPath: MIXED, method: 'gradient', metrics: true }, quiet()), 'BAD_REQUEST', 'metrics');
    });
  });
});
