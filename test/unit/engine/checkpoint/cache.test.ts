import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { CheckpointCache } from '../../../../src/engine/checkpoint/cache';
import { loadCheckpoint, type Checkpoint } from '../../../../src/engine/checkpoint/load';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import { mlp } from '../../../helpers/models';
import { tempDir } from '../../../helpers/tempDir';

/** mlp() holds 67 float32 weights. */
const MLP_BYTES = 67 * 4;

/** Whether the checkpoint's weights have been freed. */
function disposed(checkpoint: Checkpoint): boolean {
  return (checkpoint.model as tf.LayersModel).weights.every((w) => {
    try {
      return w.read().isDisposed;
    } catch {
      return true; // tfjs-layers refuses to read a disposed variable
    }
  });
}

describe('checkpoint/cache', () => {
  let files: string[];
  before(async () => {
    await tf.setBackend('cpu');
    files = [];
    for (let i = 0; i < 3; i++) files.push(await saveLayersModel(mlp(), tempDir()));
  });

  it('keeps checkpoints up to its weight budget, evicting and disposing the least recently used', async () => {
    const loads: string[] = [];
    const cache = new CheckpointCache({ maxBytes: 2 * MLP_BYTES, load: (f) => (loads.push(f), loadCheckpoint(f)) });
    const before = tf.memory().numTensors;
    const a = await cache.get(files[0]);
    const b = await cache.get(files[1]);
    assert.strictEqual(await cache.get(files[0]), a); // a is now the most recent
    assert.strictEqual(cache.bytes(), 2 * MLP_BYTES);
    const c = await cache.get(files[2]);
    assert.deepStrictEqual(cache.paths(), [files[0], files[2]]);
    assert.ok(disposed(b), 'the evicted checkpoint is disposed');
    assert.ok(!disposed(a) && !disposed(c));
    assert.strictEqual(cache.bytes(), 2 * MLP_BYTES);
    assert.deepStrictEqual(loads, [files[0], files[1], files[2]]);
    cache.clear();
    assert.ok(disposed(a) && disposed(c));
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('never disposes a checkpoint a running request holds; it goes when the request ends', async () => {
    const cache = new CheckpointCache({ maxBytes: MLP_BYTES });
    const request = cache.lease();
    const a = await request.get(files[0]);
    const b = await cache.get(files[1]); // over budget: only b is free to go, and it is the newest
    assert.ok(!disposed(a), 'leased: kept');
    assert.deepStrictEqual(cache.paths(), [files[0]]);
    assert.ok(disposed(b), 'unleased and over budget: evicted');
    const other = cache.lease();
    const c = await other.get(files[2]); // two leases, two models over a budget of one
    assert.deepStrictEqual(cache.paths(), [files[0], files[2]]);
    request.release();
    assert.ok(disposed(a), 'released and least recently used: evicted now');
    assert.ok(!disposed(c));
    other.release();
    assert.ok(!disposed(c), 'within budget: stays loaded for the next request');
    cache.clear();
  });

  it('reloads a checkpoint whose model.json changed, disposing the old one once unused', async () => {
    const dir = tempDir();
    const file = await saveLayersModel(mlp(), dir);
    const cache = new CheckpointCache();
    const request = cache.lease();
    const old = await request.get(file);
    const later = new Date(Date.now() + 5000);
    fs.utimesSync(path.join(dir, 'model.json'), later, later);
    const fresh = await cache.get(file);
    assert.notStrictEqual(fresh, old);
    assert.ok(!disposed(old), 'still used by the running request');
    request.release();
    assert.ok(disposed(old));
    assert.strictEqual(await cache.get(file), fresh);
    cache.clear();
  });
});
