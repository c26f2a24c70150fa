/**
 * Training-set loading: each format against values computed here from the files and the sidecar
 * (not from the readers), labels by name and index, skipped rows with their id and reason, errors,
 * the cache hash, progress, cancellation and tensor memory.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../../../src/protocol/engine';
import type { Sidecar } from '../../../../src/protocol/model';
import { forward } from '../../../../src/engine/checkpoint/forward';
import { type Checkpoint, disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { parse, readSidecar } from '../../../../src/engine/checkpoint/sidecar';
import { loadTrainingSet, trainingSetPath, type TrainingSet } from '../../../../src/engine/data/trainingSet';
import { decodePngDataUri } from '../../../../src/engine/data/encode';
import { tempDir } from '../../../helpers/tempDir';
import { near, pngBytes, rejectsLens, useCpu, write } from './fixtures';

const ROOT = path.join(__dirname, '../../../../..');
const EXAMPLES = path.join(ROOT, 'examples');
const DIGITS = ['zero', 'one', 'two', 'three', 'four', 'five', 'six', 'seven', 'eight', 'nine'];
const IRIS_MEAN = [5.836667, 3.061667, 3.765, 1.204167];
const IRIS_STD = [0.828747, 0.421344, 1.754739, 0.761292];
const IRIS_FEATURES = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];

/** A copy of an example model (weights and any extra files) with its own sidecar, in a temp dir. */
function exampleWith(example: string, sidecar: Sidecar, extra: string[] = []): string {
  const dir = tempDir('lens-train-model-');
  for (const f of ['model.json', 'weights.bin', ...extra]) fs.copyFileSync(path.join(EXAMPLES, example, f), path.join(dir, f));
  fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify(sidecar));
  return path.join(dir, 'model.json');
}

/** A size×size grayscale PNG whose pixel (r, c) is value(r, c). */
function grayPng(size: number, value: (r: number, c: number) => number): Buffer {
  const pixels: number[][] = [];
  for (let r = 0; r < size; r++) for (let c = 0; c < size; c++) pixels.push(Array(3).fill(value(r, c)));
  return pngBytes(size, size, pixels);
}

function writeIn(dir: string, rel: string, data: string | Uint8Array): string {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  return write(dir, rel, data);
}

/** Loads, checks the tensor memory comes back after dispose, and returns the set's plain parts. */
async function load(source: string, checkpoint: Checkpoint, ctx?: RunContext): Promise<Omit<TrainingSet, 'x'> & { x: { shape: number[]; dtype: string; data: Float32Array | Int32Array } }> {
  const before = tf.memory().numTensors;
  const set = await loadTrainingSet(source, checkpoint, ctx);
  const x = { shape: set.x.shape, dtype: set.x.dtype, data: set.x.dataSync() as Float32Array | Int32Array };
  set.dispose();
  assert.strictEqual(tf.memory().numTensors, before, 'dispose() frees every tensor of the set');
  return { ...set, x };
}

const mnistSidecar: Sidecar = { input: { kind: 'image', size: [28, 28], channels: 1, scale: 1 / 255 }, labels: DIGITS };

describe('data/trainingSet', function () {
  this.timeout(60_000);
  const checkpoints: Checkpoint[] = [];
  const open = async (modelJson: string): Promise<Checkpoint> => {
    const checkpoint = await loadCheckpoint(modelJson);
    checkpoints.push(checkpoint);
    return checkpoint;
  };
  before(useCpu);
  after(() => checkpoints.forEach(disposeCheckpoint));

  describe('image folder', () => {
    let mnist: Checkpoint;
    let dir: string;
    const pattern = (r: number, c: number): number => (r * 28 + c * 7) % 256;
    // 56×56 whose 2×2 blocks hold 4 distinct values: half-pixel-centred bilinear 2× downsizing averages each block.
    const big = (r: number, c: number): number => ((r >> 1) * 9 + (c >> 1) * 4) % 200 + (r % 2) * 20 + (c % 2) * 10;
    before(async () => {
      mnist = await open(exampleWith('mnist-cnn', mnistSidecar));
      dir = tempDir('lens-train-images-');
      writeIn(dir, 'three/a.png', grayPng(28, pattern));
      writeIn(dir, '7/b.png', grayPng(56, big));
      writeIn(dir, '7/nested/c.png', grayPng(28, () => 255));
      writeIn(dir, '7/broken.png', 'not a png');
      writeIn(dir, 'cats/d.png', grayPng(28, () => 0));
      writeIn(dir, '12/e.png', grayPng(28, () => 0));
      writeIn(dir, 'loose.png', grayPng(28, () => 0));
      writeIn(dir, '7/.DS_Store', 'finder');
    });

    it('preprocesses each image like a single input, labels sub-folders by name or index', async () => {
      const set = await load(dir, mnist);
      assert.strictEqual(set.format, 'image-folder');
      assert.strictEqual(set.path, dir);
      assert.deepStrictEqual(set.ids, ['7/b.png', '7/nested/c.png', 'three/a.png']);
      assert.deepStrictEqual(Array.from(set.labels), [7, 7, 3]);
      assert.deepStrictEqual(set.locations, set.ids.map((id) => ({ path: path.join(dir, id) })));
      assert.deepStrictEqual(set.x.shape, [3, 28, 28, 1]);
      assert.strictEqual(set.x.dtype, 'float32');
      const px = 28 * 28;
      const expected = new Float32Array(3 * px);
      for (let r = 0; r < 28; r++) {
        for (let c = 0; c < 28; c++) {
          const block = [big(2 * r, 2 * c), big(2 * r, 2 * c + 1), big(2 * r + 1, 2 * c), big(2 * r + 1, 2 * c + 1)];
          expected[r * 28 + c] = block.reduce((a, b) => a + b) / 4 / 255;
          expected[px + r * 28 + c] = 1;
          expected[2 * px + r * 28 + c] = pattern(r, c) / 255;
        }
      }
      near(set.x.data, expected, 1e-5);
    });

    it('reports every file it cannot use, with its path and why', async () => {
      const { skipped } = await load(dir, mnist);
      const reasons = new Map(skipped.map((s) => [s.id, s.reason]));
      assert.deepStrictEqual([...reasons.keys()].sort(), ['12/e.png', '7/broken.png', 'cats/d.png', 'loose.png']);
      assert.match(reasons.get('7/broken.png') ?? '', /broken\.png: cannot decode image \(not a PNG or JPEG file\)/);
      assert.match(reasons.get('cats/d.png') ?? '', /folder 'cats': label "cats" is not a class; use a name from the sidecar's labels \(zero, one/);
      assert.match(reasons.get('12/e.png') ?? '', /folder '12': label 12 is outside the model's 10 classes \(0–9\)/);
      assert.match(reasons.get('loose.png') ?? '', /not inside a class sub-folder/);
    });

    it('previews what the model sees, as a PNG data URI', async () => {
      const set = await loadTrainingSet(dir, mnist);
      const preview = set.preview(2);
      set.dispose();
      assert.strictEqual(preview.kind, 'image');
      const img = decodePngDataUri(preview.kind === 'image' ? preview.png : '');
      assert.deepStrictEqual([img.width, img.height], [28, 28]);
      for (const [r, c] of [[0, 0], [5, 9], [27, 27]]) {
        const i = 4 * (r * 28 + c);
        assert.deepStrictEqual(Array.from(img.rgba.subarray(i, i + 4)), [pattern(r, c), pattern(r, c), pattern(r, c), 255]);
      }
      assert.throws(() => set.preview(3), RangeError);
    });

    it('hashes content and preprocessing: same files, same hash; a changed pixel or scale, another', async () => {
      const folder = tempDir('lens-train-hash-');
      writeIn(folder, '1/a.png', grayPng(28, pattern));
      writeIn(folder, '2/b.png', grayPng(28, () => 9));
      const first = (await load(folder, mnist)).hash;
      assert.match(first, /^[0-9a-f]{64}$/);
      writeIn(folder, '2/b.png', grayPng(28, () => 9)); // rewritten, same bytes: a new mtime only
      assert.strictEqual((await load(folder, mnist)).hash, first);
      writeIn(folder, '2/b.png', grayPng(28, (r, c) => (r === 3 && c === 4 ? 10 : 9)));
      const changed = (await load(folder, mnist)).hash;
      assert.notStrictEqual(changed, first);
      const rescaled = await open(exampleWith('mnist-cnn', { ...mnistSidecar, input: { ...mnistSidecar.input!, scale: 1 } }));
      assert.notStrictEqual((await load(folder, rescaled)).hash, changed);
      fs.renameSync(path.join(folder, '2'), path.join(folder, '3'));
      assert.notStrictEqual((await load(folder, mnist)).hash, changed, 'labels are part of the hash');
    });

    it('reports progress every 100 images up to the total, and stops when cancelled', async () => {
      const folder = tempDir('lens-train-progress-');
      const png = grayPng(28, pattern);
      for (let i = 0; i < 250; i++) writeIn(folder, `${i % 10}/${i}.png`, png);
      const calls: [number, number, string | undefined][] = [];
      const set = await load(folder, mnist, { signal: new AbortController().signal, onProgress: (d, t, m) => calls.push([d, t, m]) });
      assert.strictEqual(set.ids.length, 250);
      assert.deepStrictEqual(calls, [[100, 250, 'Reading training set'], [200, 250, 'Reading training set'], [250, 250, 'Reading training set']]);

      const before = tf.memory().numTensors;
      const abort = new AbortController();
      await assert.rejects(loadTrainingSet(folder, mnist, { signal: abort.signal, onProgress: () => abort.abort() }), { name: 'AbortError' });
      assert.strictEqual(tf.memory().numTensors, before);
    });

    it("reads the example's 6000 training digits as the model was trained on them", async function () {
      this.timeout(120_000);
      const example = await open(path.join(EXAMPLES, 'mnist-cnn/model.json'));
      const set = await loadTrainingSet(trainingSetPath(example), example);
      try {
        assert.deepStrictEqual(set.x.shape, [6000, 28, 28, 1]);
        assert.deepStrictEqual(set.skipped, []);
        // Read wrongly (scale, channels, labels), the model would not recognise its own training
        // digits. Every 10th digit keeps the cpu backend quick and covers every class.
        const every10th = tf.tensor1d(Int32Array.from({ length: 600 }, (_, i) => 10 * i), 'int32');
        const accuracy = tf.tidy(() => {
          const predicted = forward(example, tf.gather(set.x, every10th)).argMax(-1);
          return predicted.equal(tf.gather(tf.tensor1d(set.labels, 'int32'), every10th)).mean().dataSync()[0];
        });
        every10th.dispose();
        assert.ok(accuracy > 0.98, `training accuracy ${accuracy}`);
      } finally {
        set.dispose();
      }
    });
  });

  describe('CSV', () => {
    it('reads the iris training set standardised as the sidecar says, labels by name', async () => {
      const iris = await open(path.join(EXAMPLES, 'iris-mlp/model.json'));
      const file = path.join(EXAMPLES, 'iris-mlp/data/train.csv');
      const set = await load(file, iris);
      const lines = fs.readFileSync(file, 'utf8').split('\n');
      const rows = lines.map((l, i) => ({ cells: l.split(','), line: i + 1 })).filter((r, i) => i > 0 && r.cells.length === 5);
      assert.strictEqual(rows.length, 120);
      assert.strictEqual(set.format, 'csv');
      assert.deepStrictEqual(set.skipped, []);
      assert.deepStrictEqual(set.x.shape, [120, 4]);
      assert.deepStrictEqual(set.ids, rows.map((r) => `train.csv:${r.line}`));
      assert.deepStrictEqual(set.locations[0], { path: file, line: 2 });
      assert.deepStrictEqual(Array.from(set.labels), rows.map((r) => ['setosa', 'versicolor', 'virginica'].indexOf(r.cells[4].trim())));
      near(set.x.data, rows.flatMap((r) => r.cells.slice(0, 4).map((v, k) => (Number(v) - IRIS_MEAN[k]) / IRIS_STD[k])), 1e-5);
      // Line 2 by hand: 5.1,3.5,1.4,0.2.
      near(set.x.data.subarray(0, 4), [-0.888893, 1.040321, -1.347779, -1.31903], 1e-5);
    });

    it("takes labels by name or index from the default 'label' column and skips bad rows with their line", async () => {
      const iris = await open(exampleWith('iris-mlp', { input: { kind: 'tabular', features: IRIS_FEATURES, mean: IRIS_MEAN, std: IRIS_STD }, labels: ['setosa', 'versicolor', 'virginica'] }));
      const dir = tempDir('lens-train-csv-');
      const file = write(dir, 'rows.csv', [
        'petal_width,sepal_length,sepal_width,petal_length,label,note',
        '0.2,5.1,3.5,1.4,versicolor,a',
        '1.5,6,2,4,2,b',
        '0.2,abc,3.5,1.4,0,c',
        '0.2,,3.5,1.4,0,d',
        '',
        '0.2,5.1,3.5,1.4,rose,e',
        '0.2,5.1,3.5,1.4,3,f',
        '0.2,5.1,3.5,1.4,,g',
        '0.2,5.1,3.5',
        '2.5,7.7,3.8,6.7, virginica ,h',
      ].join('\n'));
      const set = await load(file, iris);
      assert.deepStrictEqual(set.ids, ['rows.csv:2', 'rows.csv:3', 'rows.csv:11']);
      assert.deepStrictEqual(Array.from(set.labels), [1, 2, 2]);
      const z = (row: number[]): number[] => row.map((v, k) => (v - IRIS_MEAN[k]) / IRIS_STD[k]);
      near(set.x.data, [...z([5.1, 3.5, 1.4, 0.2]), ...z([6, 2, 4, 1.5]), ...z([7.7, 3.8, 6.7, 2.5])], 1e-5);
      assert.deepStrictEqual(set.skipped, [
        { id: 'rows.csv:10', reason: 'has 3 fields; the header has 6.' },
        { id: 'rows.csv:4', reason: `column 'sepal_length' "abc" is not a number.` },
        { id: 'rows.csv:5', reason: `column 'sepal_length' is empty.` },
        { id: 'rows.csv:7', reason: `label "rose" is not a class; use a name from the sidecar's labels (setosa, versicolor, virginica) or a class index.` },
        { id: 'rows.csv:8', reason: "label 3 is outside the model's 3 classes (0–2)." },
        { id: 'rows.csv:9', reason: "the label is empty; use a name from the sidecar's labels (setosa, versicolor, virginica) or a class index." },
      ]);
      assert.deepStrictEqual(set.preview(1), {
        kind: 'row',
        cells: { petal_width: '1.5', sepal_length: '6', sepal_width: '2', petal_length: '4', label: '2', note: 'b' },
      });
    });

    it('fails the whole file when the label column or feature columns are missing', async () => {
      const iris = await open(path.join(EXAMPLES, 'iris-mlp/model.json'));
      const dir = tempDir('lens-train-csv-');
      await rejectsLens(() => loadTrainingSet(write(dir, 'a.csv', 'sepal_length,sepal_width,petal_length,petal_width,label\n1,2,3,4,0\n'), iris), 'INVALID_INPUT', "no label column 'species'", 'input.labelColumn');
      await rejectsLens(() => loadTrainingSet(write(dir, 'b.csv', 'sepal_length,species\n1,setosa\n'), iris), 'INVALID_INPUT', 'missing feature columns');
    });
  });

  describe('JSONL', () => {
    const vocab: string[] = JSON.parse(fs.readFileSync(path.join(EXAMPLES, 'text-sentiment/vocab.json'), 'utf8'));
    /** Token ids computed here for ASCII text: lowercase, split on non-word characters, 1 for unknown, 0-padded to 16. */
    const ids = (text: string): number[] => {
      const words = text.toLowerCase().split(/[^a-z0-9']+/).filter(Boolean);
      return Array.from({ length: 16 }, (_, i) => (i >= words.length ? 0 : vocab.includes(words[i]) ? vocab.indexOf(words[i]) : 1));
    };

    it('tokenizes like a text input, labels by name or index, and skips bad lines with their line', async () => {
      const text = await open(path.join(EXAMPLES, 'text-sentiment/model.json'));
      const dir = tempDir('lens-train-jsonl-');
      const first = 'The and and THEN, zzzunknown!';
      const file = write(dir, 'train.jsonl', [
        JSON.stringify({ text: first, label: 'positive' }),
        JSON.stringify({ text: 'or so', label: 0 }),
        '{"text": "broken',
        JSON.stringify({ label: 1 }),
        JSON.stringify({ text: ' ?! ', label: 1 }),
        '',
        JSON.stringify({ text: 'fine', label: 'neutral' }),
        JSON.stringify({ text: 'fine', label: 2 }),
        JSON.stringify({ text: 'fine' }),
        JSON.stringify([1, 2]),
        JSON.stringify({ text: 'a', label: '1' }),
      ].join('\r\n'));
      const set = await load(file, text);
      assert.strictEqual(set.format, 'jsonl');
      assert.deepStrictEqual(set.ids, ['train.jsonl:1', 'train.jsonl:2', 'train.jsonl:11']);
      assert.deepStrictEqual(set.locations[2], { path: file, line: 11 });
      assert.deepStrictEqual(Array.from(set.labels), [1, 0, 1]);
      assert.deepStrictEqual(set.x.shape, [3, 16]);
      assert.strictEqual(set.x.dtype, 'int32');
      // vocab.json starts <pad> <unk> the a an and but or so then: ids 0–9.
      const pad = (head: number[]): number[] => [...head, ...Array(16 - head.length).fill(0)];
      assert.deepStrictEqual(Array.from(set.x.data), [...pad([2, 5, 5, 9, 1]), ...pad([7, 8]), ...pad([3])]);
      assert.deepStrictEqual(set.preview(0), { kind: 'text', text: first });
      const reasons = Object.fromEntries(set.skipped.map((s) => [s.id, s.reason]));
      assert.deepStrictEqual(Object.keys(reasons), ['train.jsonl:3', 'train.jsonl:4', 'train.jsonl:5', 'train.jsonl:7', 'train.jsonl:8', 'train.jsonl:9', 'train.jsonl:10']);
      assert.match(reasons['train.jsonl:3'], /not valid JSON/);
      assert.strictEqual(reasons['train.jsonl:4'], '"text" is missing.');
      assert.match(reasons['train.jsonl:5'], /holds no words/);
      assert.match(reasons['train.jsonl:7'], /label "neutral" is not a class; use a name from the sidecar's labels \(negative, positive\)/);
      assert.strictEqual(reasons['train.jsonl:8'], "label 2 is outside the model's 2 classes (0–1).");
      assert.strictEqual(reasons['train.jsonl:9'], '"label" is missing.');
      assert.match(reasons['train.jsonl:10'], /expected an object/);
    });

    it("reads the example's 1000 test sentences with their labels", async () => {
      const text = await open(path.join(EXAMPLES, 'text-sentiment/model.json'));
      const file = path.join(EXAMPLES, 'text-sentiment/data/test.jsonl');
      const rows = fs.readFileSync(file, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as { text: string; label: number });
      const set = await load(file, text);
      assert.deepStrictEqual(set.skipped, []);
      assert.deepStrictEqual(set.x.shape, [1000, 16]);
      assert.deepStrictEqual(Array.from(set.labels), rows.map((r) => r.label));
      assert.deepStrictEqual(Array.from(set.x.data.subarray(16 * 999)), ids(rows[999].text));
    });
  });

  describe('tensor JSON', () => {
    it('uses x as-is, with or without a batch dimension, and skips bad examples with their index', async () => {
      const iris = await open(path.join(EXAMPLES, 'iris-mlp/model.json'));
      const dir = tempDir('lens-train-tensor-');
      const file = write(dir, 'set.json', JSON.stringify({
        x: [[1, 2, 3, 4], [[5, 6, 7, 8.5]], [1, 2, 3], [1, 'a', 3, 4], [1, 2, 3, 4], [[1, 2, 3, 4], [1, 2, 3, 4]]],
        y: ['setosa', 2, 1, 0, 'tulip', 1],
      }));
      const set = await load(file, iris);
      assert.strictEqual(set.format, 'tensor-json');
      assert.deepStrictEqual(set.ids, ['set.json:0', 'set.json:1']);
      assert.deepStrictEqual(Array.from(set.labels), [0, 2]);
      assert.deepStrictEqual(Array.from(set.x.data), [1, 2, 3, 4, 5, 6, 7, 8.5]);
      assert.deepStrictEqual(set.locations, [{ path: file }, { path: file }]);
      assert.deepStrictEqual(set.preview(1), { kind: 'tensor', summary: '[4], min 5, max 8.5, mean 6.625' });
      assert.deepStrictEqual(set.skipped.map((s) => s.id), ['set.json:2', 'set.json:3', 'set.json:4', 'set.json:5']);
      assert.match(set.skipped[0].reason, /set\.json x\[2\]: input has shape \[1,3\] but the model expects \[null,4\]/);
      assert.match(set.skipped[1].reason, /set\.json x\[3\]: element \[1\] is a string, not a number/);
      assert.match(set.skipped[2].reason, /label "tulip" is not a class/);
      assert.match(set.skipped[3].reason, /holds 2 examples/);
    });

    it('fails the whole file when it is not {x, y} of equal lengths', async () => {
      const iris = await open(path.join(EXAMPLES, 'iris-mlp/model.json'));
      const dir = tempDir('lens-train-tensor-');
      await rejectsLens(() => loadTrainingSet(write(dir, 'a.json', '[[1,2,3,4]]'), iris), 'INVALID_INPUT', 'a.json', '{"x"');
      await rejectsLens(() => loadTrainingSet(write(dir, 'b.json', '{"x": [[1,2,3,4]], "y": [0, 1]}'), iris), 'INVALID_INPUT', '"x" has 1 examples but "y" has 2');
      await rejectsLens(() => loadTrainingSet(write(dir, 'c.json', '{"x": [[1,2,3,NaN]], "y": [0]}'), iris), 'INVALID_INPUT', 'NaN');
    });
  });

  describe('errors', () => {
    it('a missing source, an empty one, one with nothing usable, an unknown format', async () => {
      const mnist = await open(exampleWith('mnist-cnn', mnistSidecar));
      const text = await open(path.join(EXAMPLES, 'text-sentiment/model.json'));
      const dir = tempDir('lens-train-errors-');
      const before = tf.memory().numTensors;
      await rejectsLens(() => loadTrainingSet(path.join(dir, 'nope'), mnist), 'FILE_NOT_FOUND', 'nope', 'training set not found');
      fs.mkdirSync(path.join(dir, 'empty'));
      await rejectsLens(() => loadTrainingSet(path.join(dir, 'empty'), mnist), 'INVALID_INPUT', 'empty: no usable examples in the training set', 'holds no examples');
      writeIn(dir, 'bad/3/x.png', 'garbage');
      writeIn(dir, 'bad/3/y.png', 'garbage');
      await rejectsLens(() => loadTrainingSet(path.join(dir, 'bad'), mnist), 'INVALID_INPUT', 'all 2 were skipped', '3/x.png', 'cannot decode image');
      await rejectsLens(() => loadTrainingSet(write(dir, 'set.parquet', 'x'), mnist), 'INVALID_INPUT', 'unknown format of training set');
      await rejectsLens(() => loadTrainingSet(write(dir, 'empty.jsonl', '\n\n'), text), 'INVALID_INPUT', 'holds no examples');
      assert.strictEqual(tf.memory().numTensors, before);
    });

    it('finds the sidecar’s data.train beside the sidecar, or says how to name one', async () => {
      const iris = await open(path.join(EXAMPLES, 'iris-mlp/model.json'));
      assert.strictEqual(trainingSetPath(iris), path.join(EXAMPLES, 'iris-mlp/data/train.csv'));
      assert.strictEqual(trainingSetPath(iris, 'other.csv'), path.resolve('other.csv'));
      const mnist = await open(exampleWith('mnist-cnn', mnistSidecar));
      await rejectsLens(() => trainingSetPath(mnist), 'INVALID_INPUT', 'data.train');
    });
  });

  describe('sidecar data.checkpoints', () => {
    it('takes {path, learningRate > 0} entries and warns about paths that do not exist', () => {
      const ok = parse(JSON.stringify({ data: { checkpoints: [{ path: 'epoch-1/model.json', learningRate: 0.01 }] } }), 'm.lens.json');
      assert.deepStrictEqual(ok.data?.checkpoints, [{ path: 'epoch-1/model.json', learningRate: 0.01 }]);
      assert.throws(() => parse('{"data":{"checkpoints":[{"path":"a","learningRate":0}]}}', 'm.lens.json'), /learningRate/);
      assert.throws(() => parse('{"data":{"checkpoints":[{"path":"a","learningRate":1,"epoch":2}]}}', 'm.lens.json'), /unknown key 'epoch' at \/data\/checkpoints\/0 \(allowed: path, learningRate\)/);
      assert.throws(() => parse('{"data":{"checkpoints":[{"learningRate":1}]}}', 'm.lens.json'), /path/);
      const dir = tempDir('lens-train-sidecar-');
      fs.mkdirSync(path.join(dir, 'epoch-1'));
      write(dir, 'epoch-1/model.json', '{}');
      write(dir, 'model.lens.json', JSON.stringify({ data: { checkpoints: [{ path: 'epoch-1/model.json', learningRate: 0.1 }, { path: 'epoch-2/model.json', learningRate: 0.1 }] } }));
      const { warnings } = readSidecar(path.join(dir, 'model.json'), { inputs: [], outputs: [] });
      assert.deepStrictEqual(warnings, ["model.lens.json names 'epoch-2/model.json', which does not exist."]);
    });
  });
});
