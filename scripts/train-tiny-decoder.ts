/**
 * Trains the bundled example `examples/tiny-decoder/`: a small causal transformer that learns
 * in-context learning on a synthetic few-shot sentiment task (scripts/lib/iclTask.ts). An episode
 * is 3–6 reviews formatted `Review: …\nlabel: …\n`; in 30% of episodes every label is flipped, so
 * the model can only predict a label well by reading the demonstrations before it (with 50%
 * flipped episodes it never learns; ../shared notes). Some demonstrations are neutralised (valence
 * words replaced, label random, not scored) and some episodes carry explanation lines, so the
 * spec's neutral and explained variants are in-distribution. The loss is the cross-entropy of
 * every scored label word. Run by hand, never in CI (≈6–10 min on the wasm backend):
 *
 *   npx tsc -p . && node out/scripts/train-tiny-decoder.js [--reuse]
 *
 * Model: int32 token ids [null, null] → `embedding` (V × 64) → `position` (learned, 128
 * positions) → 2 × [x + CausalSelfAttention(LN x), 4 heads; x + Dense 64(ReLU Dense 256(LN x))] →
 * LN → `logits` Dense V (next-token logits [batch, T, V]). `--reuse` skips training and rewrites
 * the spec, sidecar and metrics from the saved model.
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../src/engine/backend/select';
import { CausalSelfAttention, PositionEmbedding } from '../src/engine/checkpoint/layers/transformer';
import { makeRng } from '../src/engine/common/random';
import { PieceTokenizer } from '../src/engine/data/pieces';
import { UNKNOWN_ID } from '../src/engine/data/text';
import { EXPLANATION_TEMPLATE, LABELS, explanationOf, format, makeReview, neutralise, vocabulary, type Review } from './lib/iclTask';
import { writeJson } from './lib/json';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { runScript } from './lib/run';
import { writeTinyDecoderExample } from './lib/tinyDecoderExample';

const SEED = 14;
const WIDTH = 64;
const HEADS = 4;
const BLOCKS = 2;
const HIDDEN = 256;
const CONTEXT = 128;
const BATCH = 16;
const LEARNING_RATE = 1e-3;
const MIN_STEPS = 3000;
const MAX_STEPS = 6000;
const EVAL_EVERY = 250;
const FLIPPED_EPISODES = 0.3;
const NEUTRAL_DEMOS = 0.1;
const EXPLAINED_EPISODES = 0.15;
const OUT_DIR = exampleDir('tiny-decoder');

/** The held-out reviews (queries and the spec's demonstrations) come from their own stream, never trained on. */
const HELD_OUT_SEED = 1014;

function buildModel(vocabSize: number): tf.LayersModel {
  let seed = SEED;
  const tokens = tf.input({ shape: [null], dtype: 'int32', name: 'tokens' });
  const embedded = tf.layers
    .embedding({ name: 'embedding', inputDim: vocabSize, outputDim: WIDTH, embeddingsInitializer: tf.initializers.randomNormal({ stddev: 0.02, seed: seed++ }) })
    .apply(tokens) as tf.SymbolicTensor;
  let x = new PositionEmbedding({ name: 'position', maxLength: CONTEXT, seed: seed++ }).apply(embedded) as tf.SymbolicTensor;
  const dense = (name: string, units: number, activation?: 'relu') =>
    tf.layers.dense({ name, units, activation, kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) });
  for (let b = 0; b < BLOCKS; b++) {
    const attended = new CausalSelfAttention({ name: `block${b}_attention`, heads: HEADS, seed: (seed += 2) }).apply(
      tf.layers.layerNormalization({ name: `block${b}_ln1` }).apply(x),
    ) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `block${b}_residual1` }).apply([x, attended]) as tf.SymbolicTensor;
    const normed = tf.layers.layerNormalization({ name: `block${b}_ln2` }).apply(x) as tf.SymbolicTensor;
    const mlp = dense(`block${b}_mlp_out`, WIDTH).apply(dense(`block${b}_mlp_in`, HIDDEN, 'relu').apply(normed)) as tf.SymbolicTensor;
    x = tf.layers.add({ name: `block${b}_residual2` }).apply([x, mlp]) as tf.SymbolicTensor;
  }
  const logits = dense('logits', vocabSize).apply(tf.layers.layerNormalization({ name: 'final_ln' }).apply(x)) as tf.SymbolicTensor;
  return tf.model({ name: 'tiny_decoder', inputs: tokens, outputs: logits });
}

interface Episode {
  ids: number[];
  /** Positions whose next token is a scored label word. */
  scored: number[];
}

/** One training episode as token ids, with the positions that predict its scored labels. */
function makeEpisode(rng: () => number, tokenizer: PieceTokenizer, heldOut: Set<string>): Episode {
  const flipped = rng() < FLIPPED_EPISODES;
  const explained = rng() < EXPLAINED_EPISODES;
  const count = 3 + Math.floor(rng() * 4);
  let text = '';
  const scoredLabels: boolean[] = [];
  for (let i = 0; i < count; i++) {
    let review: Review;
    do review = makeReview(rng);
    while (heldOut.has(review.words.join(' ')));
    const neutral = i < count - 1 && rng() < NEUTRAL_DEMOS;
    const label = neutral ? Math.floor(rng() * 2) : flipped ? 1 - review.sentiment : review.sentiment;
    const words = neutral ? neutralise(review, rng) : review.words;
    text += format(words.join(' '), LABELS[label]);
    if (explained && i < count - 1) text += EXPLANATION_TEMPLATE.replace('{explanation}', explanationOf(neutral ? [] : review.valence));
    scoredLabels.push(!neutral);
  }
  const pieces = tokenizer.encode(text);
  const labelIds = new Set(LABELS.map((l) => tokenizer.idOf(` ${l}`)));
  const scored: number[] = [];
  let k = 0;
  pieces.forEach((p, i) => {
    if (labelIds.has(p.id) && scoredLabels[k++]) scored.push(i - 1);
  });
  if (pieces.some((p) => p.id === UNKNOWN_ID)) throw new Error(`unknown piece in ${JSON.stringify(text)}`);
  return { ids: pieces.map((p) => p.id), scored };
}

/** A batch padded on the right (causal: padding after a position never changes it): ids, next-token targets and the loss mask. */
function batchTensors(episodes: Episode[]): { ids: tf.Tensor2D; targets: tf.Tensor2D; mask: tf.Tensor2D } {
  const length = Math.max(...episodes.map((e) => e.ids.length));
  if (length > CONTEXT) throw new Error(`episode of ${length} pieces exceeds the context of ${CONTEXT}`);
  const ids = new Int32Array(episodes.length * length);
  const targets = new Int32Array(episodes.length * length);
  const mask = new Float32Array(episodes.length * length);
  episodes.forEach((e, b) => {
    e.ids.forEach((id, t) => (ids[b * length + t] = id));
    e.ids.slice(1).forEach((id, t) => (targets[b * length + t] = id));
    for (const t of e.scored) mask[b * length + t] = 1;
  });
  return { ids: tf.tensor2d(ids, [episodes.length, length], 'int32'), targets: tf.tensor2d(targets, [episodes.length, length], 'int32'), mask: tf.tensor2d(mask, [episodes.length, length]) };
}

/** Mean cross-entropy of the scored positions. */
function loss(model: tf.LayersModel, batch: ReturnType<typeof batchTensors>, vocabSize: number): tf.Scalar {
  const logits = model.apply(batch.ids, { training: true }) as tf.Tensor3D;
  const picked = tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(batch.targets, vocabSize)), -1);
  return tf.neg(tf.div(tf.sum(tf.mul(picked, batch.mask)), tf.sum(batch.mask))) as tf.Scalar;
}

/** Label accuracy of the last review of fixed 4-demonstration episodes, plain and flipped. */
function evaluate(model: tf.LayersModel, tokenizer: PieceTokenizer, episodes: { plain: string; flipped: string; sentiment: number }[]): { plain: number; followsFlip: number } {
  const labelIds = LABELS.map((l) => tokenizer.idOf(` ${l}`) as number);
  const predict = (prompt: string) =>
    tf.tidy(() => {
      const ids = tokenizer.encode(prompt).map((p) => p.id);
      const logits = model.predict(tf.tensor2d(ids, [1, ids.length], 'int32')) as tf.Tensor3D;
      const last = logits.slice([0, ids.length - 1, 0], [1, 1, -1]).dataSync();
      return last[labelIds[1]] > last[labelIds[0]] ? 1 : 0;
    });
  let plain = 0;
  let follows = 0;
  for (const e of episodes) {
    if (predict(e.plain) === e.sentiment) plain++;
    if (predict(e.flipped) === 1 - e.sentiment) follows++;
  }
  return { plain: plain / episodes.length, followsFlip: follows / episodes.length };
}

function evalEpisodes(rng: () => number): { plain: string; flipped: string; sentiment: number }[] {
  return Array.from({ length: 100 }, () => {
    const demos = Array.from({ length: 4 }, () => makeReview(rng));
    const query = makeReview(rng);
    const prompt = (flip: boolean) => demos.map((d) => format(d.words.join(' '), LABELS[flip ? 1 - d.sentiment : d.sentiment])).join('') + `Review: ${query.words.join(' ')}\nlabel:`;
    return { plain: prompt(false), flipped: prompt(true), sentiment: query.sentiment };
  });
}

async function train(tokenizer: PieceTokenizer, heldOut: Set<string>): Promise<{ model: tf.LayersModel; log: object[] }> {
  const vocabSize = tokenizer.vocab.length;
  const model = buildModel(vocabSize);
  model.summary();
  const rng = makeRng(SEED);
  const checks = evalEpisodes(makeRng(SEED + 1));
  const optimizer = tf.train.adam(LEARNING_RATE);
  const log: object[] = [];
  const started = Date.now();
  let running = 0;
  for (let step = 1; step <= MAX_STEPS; step++) {
    const batch = batchTensors(Array.from({ length: BATCH }, () => makeEpisode(rng, tokenizer, heldOut)));
    const value = optimizer.minimize(() => loss(model, batch, vocabSize), true) as tf.Scalar;
    running = 0.98 * running + 0.02 * (await value.data())[0];
    tf.dispose([value, batch.ids, batch.targets, batch.mask]);
    if (step % EVAL_EVERY === 0) {
      const { plain, followsFlip } = evaluate(model, tokenizer, checks);
      const entry = { step, loss: Number(running.toFixed(4)), plain, followsFlip, seconds: Math.round((Date.now() - started) / 1000) };
      log.push(entry);
      console.log(JSON.stringify(entry));
      if (step >= MIN_STEPS && plain >= 0.95 && followsFlip >= 0.95) break;
    }
  }
  optimizer.dispose();
  return { model, log };
}

async function main(): Promise<void> {
  const { backend } = await initBackend(process.argv.includes('--cpu') ? 'cpu' : 'wasm');
  console.log(`backend ${backend}`);
  const vocab = vocabulary();
  const tokenizer = new PieceTokenizer(vocab, UNKNOWN_ID);
  const heldOutRng = makeRng(HELD_OUT_SEED);
  const heldOutReviews = Array.from({ length: 64 }, () => makeReview(heldOutRng));
  const heldOut = new Set(heldOutReviews.map((r) => r.words.join(' ')));
  let model: tf.LayersModel;
  let log: object[];
  const logFile = path.join(OUT_DIR, 'training-log.json');
  if (process.argv.includes('--reuse')) {
    model = await loadLayersModel(OUT_DIR);
    log = JSON.parse(fs.readFileSync(logFile, 'utf8'));
  } else {
    ({ model, log } = await train(tokenizer, heldOut));
    await saveExampleModel(model, OUT_DIR);
    writeJson(path.join(OUT_DIR, 'vocab.json'), vocab);
    writeJson(logFile, log);
  }
  await writeTinyDecoderExample({ dir: OUT_DIR, tokenizer, heldOutReviews, log, seed: SEED, context: CONTEXT });
  model.dispose();
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)}`);
}

runScript(main);
