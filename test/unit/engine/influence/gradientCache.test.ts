/** The on-disk cache: round trips, ignores files of the wrong size, and keeps the recently used within its budget. */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { cachedArray, prune } from '../../../../src/engine/influence/gradientCache';
import { tempDir } from '../../../helpers/tempDir';

describe('influence: gradient cache', () => {
  it('stores, reuses, and recomputes when a file does not hold the expected array', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'k.f32');
    let computed = 0;
    const compute = async () => {
      computed++;
      return Float32Array.of(1.5, -2, 3);
    };
    const first = await cachedArray(file, Float32Array, 3, compute);
    const second = await cachedArray(file, Float32Array, 3, compute);
    assert.deepEqual([first.cached, second.cached, computed], [false, true, 1]);
    assert.deepEqual(Array.from(second.value), [1.5, -2, 3]);
    fs.writeFileSync(file, Buffer.alloc(5)); // truncated or foreign
    const third = await cachedArray(file, Float32Array, 3, compute);
    assert.deepEqual([third.cached, computed], [false, 2]);
  });

  it('deletes the least recently used files beyond the budget', () => {
    const dir = tempDir();
    ['old', 'mid', 'new'].forEach((name, i) => {
      const file = path.join(dir, name);
      fs.writeFileSync(file, Buffer.alloc(100));
      fs.utimesSync(file, 1000 + i, 1000 + i);
    });
    prune(dir, 250);
    assert.deepEqual(fs.readdirSync(dir).sort(), ['mid', 'new']);
  });
});
