/**
 * The input cache: one load and one forward pass per (checkpoint version, file version); a rewritten
 * input or sidecar is loaded again; at most a few entries; an entry in use outlives its eviction;
 * clear() returns every tensor.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { disposeCheckpoint, loadCheckpoint, type Checkpoint } from '../../../../src/engine/checkpoint/load';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { InputCache } from '../../../../src/engine/data/inputCache';
import { tempDir } from '../../../helpers/tempDir';

/** y = 2x: its output shows which input was loaded. */
function doubler(): tf.LayersModel {
  const model = tf.sequential({ layers: [tf.layers.dense({ inputShape: [2], units: 2, useBias: false })] });
  model.layers[0].setWeights([tf.tensor2d([[2, 0], [0, 2]])]);
  return model;
}

/** Six input files x0…x5 in `dir`, xi holding [i + 1, i + 1]. */
function sixInputs(dir: string): string[] {
  return Array.from({ length: 6 }, (_, i) => {
    const file = path.join(dir, `x${i}.json`);
    fs.writeFileSync(file, JSON.stringify([i + 1, i + 1]));
    return file;
  });
}

/** The entry for `file`, used for nothing but a look. */
const get = (cache: InputCache, checkpoint: Checkpoint, file: string) => cache.use(checkpoint, file, (entry) => entry);

describe('inputs/inputCache', () => {
  before(() => tf.setBackend('cpu'));

  it('loads and runs a file once, reloads it when it changes, and frees everything on clear()', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const file = path.join(dir, 'x.json');
    fs.writeFileSync(file, JSON.stringify([1, 2]));
    const before = tf.memory().numTensors;
    const cache = new InputCache();

    const first = await get(cache, checkpoint, file);
    assert.deepStrictEqual(Array.from(first.output.dataSync()), [2, 4]);
    assert.strictEqual(await get(cache, checkpoint, file), first, 'a second request reuses the entry');
    assert.strictEqual(tf.memory().numTensors, before + 2);

    fs.writeFileSync(file, JSON.stringify([10, 20]));
    fs.utimesSync(file, new Date(), new Date(Date.now() + 5000)); // a different mtime, whatever the clock's resolution
    const edited = await get(cache, checkpoint, file);
    assert.notStrictEqual(edited, first);
    assert.deepStrictEqual(Array.from(edited.output.dataSync()), [20, 40]);

    cache.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });

  it('keeps at most four entries, dropping the least recently used', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const files = sixInputs(dir);
    const before = tf.memory().numTensors;
    const cache = new InputCache();
    const kept = await get(cache, checkpoint, files[0]);
    for (const file of files.slice(1)) {
      await get(cache, checkpoint, file);
      await get(cache, checkpoint, files[0]); // keeps x0 the most recent
    }
    assert.strictEqual(tf.memory().numTensors, before + 2 * 4);
    assert.strictEqual(await get(cache, checkpoint, files[0]), kept);
    cache.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });

  it('an entry in use outlives its eviction: readable until its user is done, then freed', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const files = sixInputs(dir);
    const before = tf.memory().numTensors;
    const cache = new InputCache();
    const read = await cache.use(checkpoint, files[0], async (entry) => {
      // Five other files meanwhile push x0 out of a cache of four.
      for (const file of files.slice(1)) await get(cache, checkpoint, file);
      assert.strictEqual(tf.memory().numTensors, before + 2 * 5, 'the evicted entry in use was freed');
      return [Array.from(entry.input.tensor.dataSync()), Array.from(entry.output.dataSync())];
    });
    assert.deepStrictEqual(read, [[1, 1], [2, 2]]);
    assert.strictEqual(tf.memory().numTensors, before + 2 * 4, 'the evicted entry outlived its use');
    // A failing user frees it too.
    await assert.rejects(
      cache.use(checkpoint, files[1], async () => {
        for (const file of [files[0], files[2], files[3], files[4], files[5]]) await get(cache, checkpoint, file);
        throw new Error('boom');
      }),
      /boom/,
    );
    assert.strictEqual(tf.memory().numTensors, before + 2 * 4);
    cache.clear();
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });

  it('caches nothing for a file that fails to load', async () => {
    const dir = tempDir();
    const checkpoint = await loadCheckpoint(await saveLayersModel(doubler(), dir));
    const file = path.join(dir, 'bad.json');
    fs.writeFileSync(file, JSON.stringify([1, 2, 3]));
    const before = tf.memory().numTensors;
    const cache = new InputCache();
    await assert.rejects(get(cache, checkpoint, file), /shape/);
    assert.strictEqual(tf.memory().numTensors, before);
    disposeCheckpoint(checkpoint);
  });
});
