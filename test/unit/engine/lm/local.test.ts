/**
 * The local provider on a small random causal transformer written to disk with its sidecar and
 * vocabulary: label probabilities against the model's own softmax computed here, gradient ×
 * embedding against central finite differences along each token's embedding, Integrated
 * Gradients against completeness, no leaked tensors, and clear errors for models that are no
 * language model here.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { CausalSelfAttention, PositionEmbedding } from '../../../../src/engine/checkpoint/layers/transformer';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from '../../../../src/engine/checkpoint/load';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { LocalLanguageModel } from '../../../../src/engine/lm/local';
import { rejectsLens } from '../../../helpers/assertLens';
import { tempDir } from '../../../helpers/tempDir';

const VOCAB = ['<pad>', '<unk>', 'Review', ':', '\n', 'label', ' positive', ' negative', ' good', ' bad', ' film', ' the', ' Positive'];
const LABELS = ['negative', 'positive'];
const PROMPT = 'Review: good film\nlabel: positive\nReview: the bad film\nlabel:';
const ctx = { signal: new AbortController().signal, onProgress: () => {} };
const IG = { kind: 'integrated-gradients', steps: 64 } as const;

/** A 1-block causal transformer with random weights (seeded), as the example's layers build it. */
function randomDecoder(): tf.LayersModel {
  const tokens = tf.input({ shape: [null], dtype: 'int32' });
  let x = tf.layers.embedding({ name: 'embedding', inputDim: VOCAB.length, outputDim: 8, embeddingsInitializer: tf.initializers.randomNormal({ stddev: 1, seed: 1 }) }).apply(tokens) as tf.SymbolicTensor;
  x = new PositionEmbedding({ name: 'position', maxLength: 64, seed: 2 }).apply(x) as tf.SymbolicTensor;
  const attended = new CausalSelfAttention({ name: 'attention', heads: 2, seed: 3 }).apply(tf.layers.layerNormalization({ name: 'ln' }).apply(x)) as tf.SymbolicTensor;
  x = tf.layers.add().apply([x, attended]) as tf.SymbolicTensor;
  const logits = tf.layers.dense({ name: 'logits', units: VOCAB.length, kernelInitializer: tf.initializers.glorotUniform({ seed: 4 }) }).apply(x) as tf.SymbolicTensor;
  return tf.model({ inputs: tokens, outputs: logits });
}

async function writeModel(dir: string, sidecar: object | null): Promise<string> {
  const model = randomDecoder();
  const file = await saveLayersModel(model, dir);
  model.dispose();
  fs.writeFileSync(path.join(dir, 'vocab.json'), JSON.stringify(VOCAB));
  if (sidecar) fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify(sidecar));
  return file;
}

for (const backend of ['wasm', 'cpu'] as const) {
  describe(`lm/local: a TF.js causal LM as the ICL model (${backend})`, function () {
    this.timeout(60_000);
    let checkpoint: Checkpoint;
    let lm: LocalLanguageModel;
    before(async () => {
      await initBackend(backend);
      const file = await writeModel(tempDir(), { input: { kind: 'text', tokenizer: 'pieces', vocab: 'vocab.json' } });
      checkpoint = await loadCheckpoint(file);
      lm = new LocalLanguageModel(checkpoint, 'random');
    });
    after(() => disposeCheckpoint(checkpoint));

    /** log-softmax of the model's last-position scores, computed here from model.predict. */
    function lastLogProbabilities(text: string): Float32Array {
      const ids = lm.tokens(text).map((t) => VOCAB.indexOf(t.text));
      return tf.tidy(() => {
        const out = checkpoint.model.predict(tf.tensor2d(ids, [1, ids.length], 'int32')) as tf.Tensor3D;
        return tf.logSoftmax(out.slice([0, ids.length - 1, 0], [1, 1, -1]).reshape([-1])).dataSync() as Float32Array;
      });
    }

    it('tokens: pieces with their spans', () => {
      assert.deepStrictEqual(lm.tokens('Review: good film\nlabel:').map((t) => [t.text, t.start, t.end]), [
        ['Review', 0, 6], [':', 6, 7], [' good', 7, 12], [' film', 12, 17], ['\n', 17, 18], ['label', 18, 23], [':', 23, 24],
      ]);
    });

    it("label probabilities: the exact next-token distribution, a label summing its vocabulary entries (' positive' and ' Positive')", async () => {
      const logp = lastLogProbabilities(PROMPT);
      const p = (word: string) => Math.exp(logp[VOCAB.indexOf(word)]);
      const positive = p(' positive') + p(' Positive');
      const negative = p(' negative');
      const d = await lm.score(PROMPT, LABELS, ctx.signal);
      assert.ok(Math.abs(d.coverage - (positive + negative)) < 1e-5, `${d.coverage} vs ${positive + negative}`);
      assert.ok(Math.abs((d.probs.positive as number) - positive / (positive + negative)) < 1e-5);
      assert.deepStrictEqual([d.belowTopK, d.topKMin], [[], null]);
    });

    it('a label that is no single token is its pieces as a continuation: p(" good film") = p(" good") · p(" film" | … good)', async () => {
      const d = await lm.score(PROMPT, ['good film', 'bad'], ctx.signal);
      const first = Math.exp(lastLogProbabilities(PROMPT)[VOCAB.indexOf(' good')]);
      const second = Math.exp(lastLogProbabilities(`${PROMPT} good`)[VOCAB.indexOf(' film')]);
      const bad = Math.exp(lastLogProbabilities(PROMPT)[VOCAB.indexOf(' bad')]);
      assert.ok(Math.abs(d.coverage - (first * second + bad)) < 1e-5);
    });

    it('gradient × embedding equals the central finite difference of log p(label) along each token\'s embedding', async () => {
      const { values } = await lm.gradientSaliency(PROMPT, 'positive', { kind: 'gradient' }, ctx);
      const tokens = lm.tokens(PROMPT);
      assert.strictEqual(values.length, tokens.length);
      // F(e) = log p(' positive' | prompt) as a function of the embedding layer's output, perturbed here by hand.
      const ids = [...tokens.map((t) => VOCAB.indexOf(t.text)), VOCAB.indexOf(' positive')];
      const model = checkpoint.model as tf.LayersModel;
      const embedding = model.getLayer('embedding');
      const F = (scale: number, at: number): number =>
        tf.tidy(() => {
          const call = embedding.call.bind(embedding);
          // e_t → e_t (1 + scale): d/dscale F = Σ_d ∂F/∂e_td · e_td, gradient × embedding at token t.
          embedding.call = (inputs, kwargs) => {
            const e = call(inputs, kwargs) as tf.Tensor;
            const mask = tf.oneHot(tf.tensor1d([at], 'int32'), e.shape[1] as number).reshape([1, -1, 1]);
            return tf.add(e, tf.mul(tf.mul(e, mask), scale));
          };
          try {
            const out = model.predict(tf.tensor2d(ids, [1, ids.length], 'int32')) as tf.Tensor3D;
            return tf.logSoftmax(out.slice([0, ids.length - 2, 0], [1, 1, -1]).reshape([-1])).dataSync()[VOCAB.indexOf(' positive')];
          } finally {
            delete (embedding as { call?: unknown }).call;
          }
        });
      const eps = 1e-2;
      const worst = Math.max(...values.map((v) => Math.abs(v)));
      for (let t = 0; t < tokens.length; t++) {
        const fd = (F(eps, t) - F(-eps, t)) / (2 * eps);
        assert.ok(Math.abs(values[t] - fd) < 2e-3 * Math.max(1, worst), `token ${t} '${tokens[t].text}': gradient×embedding ${values[t]}, finite difference ${fd}`);
      }
    });

    it('Integrated Gradients on the embeddings is complete: Σ attributions = F(prompt) − F(zero embeddings)', async () => {
      const { values, completenessDelta } = await lm.gradientSaliency(PROMPT, 'negative', IG, ctx);
      const total = values.reduce((a, b) => a + b, 0);
      assert.ok(Math.abs(completenessDelta as number) < 1e-3 * Math.max(1, Math.abs(total)), `delta ${completenessDelta}, Σ ${total}`);
    });

    it('leaves no tensors behind', async () => {
      await lm.score(PROMPT, LABELS, ctx.signal);
      await lm.gradientSaliency(PROMPT, 'positive', IG, ctx);
      const before = tf.memory().numTensors;
      await lm.score(PROMPT, ['good film', 'bad'], ctx.signal);
      await lm.gradientSaliency(PROMPT, 'positive', { kind: 'gradient' }, ctx);
      await lm.gradientSaliency(PROMPT, 'positive', IG, ctx);
      assert.strictEqual(tf.memory().numTensors, before);
    });

    it('integrated gradients stops when cancelled', async () => {
      const controller = new AbortController();
      controller.abort();
      const before = tf.memory().numTensors;
      await assert.rejects(lm.gradientSaliency(PROMPT, 'positive', IG, { signal: controller.signal, onProgress: () => {} }), (e: Error) => e.name === 'AbortError');
      assert.strictEqual(tf.memory().numTensors, before);
    });
  });
}

describe('lm/local: what is no language model is refused with one clear line', function () {
  this.timeout(60_000);
  before(() => initBackend('cpu'));

  it('a sidecar that names no pieces tokenizer', async () => {
    const checkpoint = await loadCheckpoint(await writeModel(tempDir(), { input: { kind: 'text', vocab: 'vocab.json' } }));
    try {
      await rejectsLens(() => new LocalLanguageModel(checkpoint, 'x'), 'INVALID_SIDECAR', 'its sidecar must name its tokenizer', '"tokenizer": "pieces"');
    } finally {
      disposeCheckpoint(checkpoint);
    }
  });

  it('an output that is not [batch, positions, vocabulary]', async () => {
    const checkpoint = await loadCheckpoint(path.join(__dirname, '../../../../../examples/text-sentiment/model.json'));
    try {
      const dir = path.dirname(checkpoint.path);
      checkpoint.sidecar = { ...checkpoint.sidecar, path: path.join(dir, 'model.lens.json'), sidecar: { input: { kind: 'text', tokenizer: 'pieces', vocab: 'vocab.json' } } };
      await rejectsLens(() => new LocalLanguageModel(checkpoint, 'x'), 'INVALID_MODEL', 'outputs next-token scores [batch, positions, 216]', 'outputs [?, 2]');
    } finally {
      disposeCheckpoint(checkpoint);
    }
  });

  it('a label with a piece outside the vocabulary', async () => {
    const checkpoint = await loadCheckpoint(await writeModel(tempDir(), { input: { kind: 'text', tokenizer: 'pieces', vocab: 'vocab.json' } }));
    try {
      const lm = new LocalLanguageModel(checkpoint, 'x');
      await rejectsLens(() => lm.score(PROMPT, ['positive', 'neutral'], new AbortController().signal), 'INVALID_INPUT', "The label 'neutral' has the piece ' neutral', which is not in model.json's vocabulary.");
    } finally {
      disposeCheckpoint(checkpoint);
    }
  });
});
