/**
 * Example sets beside training sets: concept and random sets read without labels (an image folder
 * without class sub-folders, a CSV without a label column, tensor JSON without "y"), probe data with
 * label names of its own, folders of several sets, and the cache of several recent sets.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from '../../../../src/engine/checkpoint/load';
import { loadTrainingSet, setParts } from '../../../../src/engine/data/trainingSet';
import { TrainingSetCache } from '../../../../src/engine/data/trainingSetCache';
import { quietContext } from '../../../../src/engine/common/context';
import { tempDir } from '../../../helpers/tempDir';
import { near, pngBytes, rejectsLens, useCpu, write } from './fixtures';

const EXAMPLES = path.join(__dirname, '../../../../../examples');

function writeIn(dir: string, rel: string, data: string | Uint8Array): string {
  fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
  return write(dir, rel, data);
}

/** A 28×28 grey PNG of one level. */
const grey = (level: number) => pngBytes(28, 28, Array.from({ length: 28 * 28 }, () => [level, level, level]));

describe('data: example sets without labels or with their own label names', () => {
  let mnist: Checkpoint;
  let iris: Checkpoint;
  before(async () => {
    await useCpu();
    mnist = await loadCheckpoint(path.join(EXAMPLES, 'mnist-cnn/model.json'));
    iris = await loadCheckpoint(path.join(EXAMPLES, 'iris-mlp/model.json'));
  });
  after(() => {
    disposeCheckpoint(mnist);
    disposeCheckpoint(iris);
  });

  it('an image folder without labels: every image below it, preprocessed as an input, labels −1', async () => {
    const dir = tempDir();
    writeIn(dir, 'b.png', grey(51));
    writeIn(dir, 'a.png', grey(255));
    writeIn(dir, 'more/c.png', grey(0));
    const set = await loadTrainingSet(dir, mnist, quietContext(), { labels: 'none', what: "concept 'grey'" });
    assert.deepStrictEqual(set.ids, ['a.png', 'b.png', 'more/c.png']);
    assert.deepStrictEqual(Array.from(set.labels), [-1, -1, -1]);
    assert.deepStrictEqual(set.x.shape, [3, 28, 28, 1]);
    near(Array.from(set.x.dataSync()).filter((_, i) => i % 784 === 0), [1, 0.2, 0]);
    set.dispose();
  });

  it('a CSV without a label column and tensor JSON without "y" read without labels; with labels they are refused', async () => {
    const dir = tempDir();
    const csv = write(dir, 'rows.csv', 'sepal_length,sepal_width,petal_length,petal_width\n5.8,3.1,3.8,1.2\n6,3,4,1\n');
    const rows = await loadTrainingSet(csv, iris, quietContext(), { labels: 'none' });
    assert.deepStrictEqual(rows.x.shape, [2, 4]);
    near(rows.x.dataSync().slice(0, 4), [(5.8 - 5.836667) / 0.828747, (3.1 - 3.061667) / 0.421344, (3.8 - 3.765) / 1.754739, (1.2 - 1.204167) / 0.761292], 1e-4);
    rows.dispose();
    await rejectsLens(() => loadTrainingSet(csv, iris), 'INVALID_INPUT', "no label column 'species'");
    const json = write(dir, 'x.json', JSON.stringify({ x: [[1, 2, 3, 4]] }));
    const tensors = await loadTrainingSet(json, iris, quietContext(), { labels: 'none' });
    assert.deepStrictEqual(Array.from(tensors.x.dataSync()), [1, 2, 3, 4]);
    tensors.dispose();
    await rejectsLens(() => loadTrainingSet(json, iris), 'INVALID_INPUT', '"y"');
  });

  it("label names of the data's own, numbered in reading order (a probe's labels need not be the model's classes)", async () => {
    const dir = tempDir();
    writeIn(dir, 'striped/1.png', grey(255));
    writeIn(dir, 'plain/1.png', grey(0));
    writeIn(dir, 'plain/2.png', grey(0));
    const set = await loadTrainingSet(dir, mnist, quietContext(), { labels: 'names' });
    assert.deepStrictEqual(set.labelNames, ['plain', 'striped']);
    assert.deepStrictEqual(Array.from(set.labels), [0, 0, 1]);
    set.dispose();
    await rejectsLens(() => loadTrainingSet(dir, mnist), 'INVALID_INPUT', 'all 3 were skipped', 'plain');
  });

  it('a folder of sets lists its sub-folders and set files; a folder of images or a file is one set; a mix is refused', async () => {
    const dir = tempDir();
    writeIn(dir, 'sets/b/1.png', grey(1));
    writeIn(dir, 'sets/a/1.png', grey(1));
    writeIn(dir, 'sets/c.csv', 'x\n1\n');
    assert.deepStrictEqual(await setParts(path.join(dir, 'sets'), 'random examples'), ['a', 'b', 'c.csv'].map((p) => path.join(dir, 'sets', p)));
    writeIn(dir, 'pool/1.png', grey(1));
    assert.strictEqual(await setParts(path.join(dir, 'pool'), 'random examples'), null);
    assert.strictEqual(await setParts(path.join(dir, 'sets/c.csv'), 'random examples'), null);
    writeIn(dir, 'sets/loose.png', grey(1));
    await rejectsLens(() => setParts(path.join(dir, 'sets'), 'random examples'), 'INVALID_INPUT', 'mixes sets (a) with loose files (loose.png)');
    await rejectsLens(() => setParts(path.join(dir, 'missing'), 'random examples'), 'FILE_NOT_FOUND', 'random examples not found');
  });

  it('the cache keeps the most recent sets up to its capacity and frees the ones it drops', async () => {
    const dir = tempDir();
    const sources = [0, 1, 2].map((i) => writeIn(dir, `s${i}/1.png`, grey(i)).replace(/\/1\.png$/, ''));
    const cache = new TrainingSetCache(2);
    const before = tf.memory().numTensors;
    const first = await cache.get(sources[0], mnist, quietContext(), { labels: 'none' });
    await cache.get(sources[1], mnist, quietContext(), { labels: 'none' });
    assert.strictEqual(await cache.get(sources[0], mnist, quietContext(), { labels: 'none' }), first, 'kept');
    await cache.get(sources[2], mnist, quietContext(), { labels: 'none' }); // drops s1, the least recently used
    assert.strictEqual(await cache.get(sources[0], mnist, quietContext(), { labels: 'none' }), first);
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(tf.memory().numTensors, before + 2);
    cache.clear();
    await new Promise((resolve) => setImmediate(resolve));
    assert.strictEqual(tf.memory().numTensors, before);
  });
});
