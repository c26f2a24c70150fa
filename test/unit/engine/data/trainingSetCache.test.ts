/** The engine keeps the training set loaded between queries, and reads it again when it changes. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { initBackend } from '../../../../src/engine/backend/select';
import { disposeCheckpoint, loadCheckpoint } from '../../../../src/engine/checkpoint/load';
import { TrainingSetCache } from '../../../../src/engine/data/trainingSetCache';
import { quietContext } from '../../../../src/engine/common/context';
import { tempDir } from '../../../helpers/tempDir';

const IRIS = path.join(__dirname, '../../../../../examples/iris-mlp');

describe('influence: training set cache', () => {
  it('reuses the loaded set until a file of it changes, and frees what it drops', async () => {
    await initBackend('wasm');
    const checkpoint = await loadCheckpoint(path.join(IRIS, 'model.json'));
    const source = path.join(tempDir(), 'train.csv');
    const rows = fs.readFileSync(path.join(IRIS, 'data/train.csv'), 'utf8').trimEnd().split('\n');
    fs.writeFileSync(source, rows.slice(0, 51).join('\n') + '\n');
    const cache = new TrainingSetCache();
    const before = tf.memory().numTensors;
    const first = await cache.get(source, checkpoint, quietContext());
    assert.equal(await cache.get(source, checkpoint, quietContext()), first);
    fs.appendFileSync(source, rows[51] + '\n');
    const second = await cache.get(source, checkpoint, quietContext());
    assert.deepEqual([first.labels.length, second.labels.length], [50, 51]);
    cache.clear();
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(tf.memory().numTensors, before, 'tensors leaked');
    disposeCheckpoint(checkpoint);
  });
});
