import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { loadInput } from '../../../../src/engine/data/input';
import { near, pngBytes, rejectsLens, RGBW, useTempDir, write } from './fixtures';

describe('inputs/loadInput', function () {
  this.timeout(5000);
  const tmp = useTempDir();
  let png: string;
  before(() => {
    png = write(tmp.dir, 'rgbw.png', pngBytes(2, 2, RGBW));
  });

  it('images take [h,w] and channels from the model input without a sidecar', async () => {
    const before = tf.memory().numTensors;
    const out = await loadInput(png, { shape: [null, 4, 4, 1], dtype: 'float32' }, {});
    assert.strictEqual(out.kind, 'image');
    assert.deepStrictEqual(out.tensor.shape, [1, 4, 4, 1]);
    assert.deepStrictEqual([out.preview?.width, out.preview?.height], [4, 4]);
    assert.match(out.description, /PNG 2×2 → 4×4, grayscale/);
    out.tensor.dispose();
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('the sidecar sets size, channels and normalisation', async () => {
    const out = await loadInput(png, { shape: [null, 2, 2, 3], dtype: 'float32' }, {
      input: { kind: 'image', size: [2, 2], channels: 3, scale: 1, mean: [255], std: [255] },
    });
    near(await out.tensor.data(), [0, -1, -1, -1, 0, -1, -1, -1, 0, 0, 0, 0]);
    out.tensor.dispose();
  });

  it('fits grayscale images to [batch,h,w] and flat [batch,n] models', async () => {
    const hw = await loadInput(png, { shape: [null, 2, 2], dtype: 'float32' }, {});
    assert.deepStrictEqual(hw.tensor.shape, [1, 2, 2]);
    near(await hw.tensor.data(), [0.299, 0.587, 0.114, 1]);
    hw.tensor.dispose();
    const flat = await loadInput(png, { shape: [null, 16], dtype: 'float32' }, { input: { kind: 'image', size: [4, 4] } });
    assert.deepStrictEqual(flat.tensor.shape, [1, 16]);
    flat.tensor.dispose();
  });

  it('detects images by content whatever the extension', async () => {
    const odd = write(tmp.dir, 'picture.bin', pngBytes(1, 1, [[255, 255, 255]]));
    const out = await loadInput(odd, { shape: [null, 1, 1, 3], dtype: 'float32' }, {});
    assert.strictEqual(out.kind, 'image');
    out.tensor.dispose();
    const fake = write(tmp.dir, 'fake.png', 'a,b\n1,2\n');
    await rejectsLens(() => loadInput(fake, { shape: [null, 2], dtype: 'float32' }, {}), 'INVALID_INPUT', 'fake.png: cannot decode image', 'Model Lens reads PNG and JPEG.');
  });

  it('CSV → tabular with labels', async () => {
    const csv = write(tmp.dir, 'rows.csv', 'x,y,label\n1,2,cat\n3,4,dog\n');
    const out = await loadInput(csv, { shape: [null, 2], dtype: 'float32' }, { input: { kind: 'tabular', labelColumn: 'label' } });
    assert.strictEqual(out.kind, 'tabular');
    assert.deepStrictEqual(out.labels, ['cat', 'dog']);
    near(await out.tensor.data(), [1, 2, 3, 4]);
    out.tensor.dispose();
  });

  it('tensor JSON is used as-is', async () => {
    const json = write(tmp.dir, 't.json', '[[0.5, 2]]');
    const out = await loadInput(json, { shape: [null, 2], dtype: 'float32' }, { input: { kind: 'image', scale: 9 } });
    assert.strictEqual(out.kind, 'tensor');
    near(await out.tensor.data(), [0.5, 2]);
    out.tensor.dispose();
  });

  it('unknown extensions follow the sidecar kind, else fail clearly', async () => {
    const txt = write(tmp.dir, 'rows.txt', 'x,y\n1,2\n');
    const out = await loadInput(txt, { shape: [null, 2], dtype: 'float32' }, { input: { kind: 'tabular' } });
    assert.strictEqual(out.kind, 'tabular');
    out.tensor.dispose();
    // Without a declared kind, .txt is text, which needs the sidecar's vocab.
    await rejectsLens(() => loadInput(txt, { shape: [null, 2], dtype: 'float32' }, {}), 'INVALID_SIDECAR', 'input.vocab');
    const dat = write(tmp.dir, 'rows.dat', 'x,y\n1,2\n');
    await rejectsLens(() => loadInput(dat, { shape: [null, 2], dtype: 'float32' }, {}), 'INVALID_INPUT', 'unknown input type');
  });

  it('shape mismatch shows both shapes and disposes the tensor', async () => {
    const csv = write(tmp.dir, 'three.csv', 'a,b,c\n1,2,3\n');
    const before = tf.memory().numTensors;
    await rejectsLens(() => loadInput(csv, { shape: [null, 4], dtype: 'float32' }, {}), 'INVALID_INPUT', 'three.csv', '[1,3]', '[null,4]');
    await rejectsLens(() => loadInput(png, { shape: [null, 784], dtype: 'float32' }, {}), 'INVALID_INPUT', '[1,4]', '[null,784]', 'input.size');
    assert.strictEqual(tf.memory().numTensors, before);
  });

  it('missing and empty files', async () => {
    await rejectsLens(() => loadInput(`${tmp.dir}/gone.png`, { shape: [null, 2, 2, 3], dtype: 'float32' }, {}), 'FILE_NOT_FOUND', 'gone.png');
    const empty = write(tmp.dir, 'empty.jpg', '');
    await rejectsLens(() => loadInput(empty, { shape: [null, 2, 2, 3], dtype: 'float32' }, {}), 'INVALID_INPUT', 'empty file');
    await rejectsLens(() => loadInput(tmp.dir, { shape: [null, 2], dtype: 'float32' }, {}), 'INVALID_INPUT', 'directory');
  });
});
