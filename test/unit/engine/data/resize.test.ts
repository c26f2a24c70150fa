import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { resizeBilinear } from '../../../../src/engine/data/resize';
import { near, useCpu } from './fixtures';

describe('inputs/resize: bilinear', function () {
  this.timeout(5000);
  before(useCpu);

  it('upsamples 2×2 → 4×4 to hand-computed half-pixel values', () => {
    const out = resizeBilinear(Float32Array.from([0, 10, 20, 30]), 2, 2, 1, 4, 4);
    // Source coords per output index: clamp((i + .5) / 2 - .5) = 0, .25, .75, 1.
    near(out, [0, 2.5, 7.5, 10, 5, 7.5, 12.5, 15, 15, 17.5, 22.5, 25, 20, 22.5, 27.5, 30]);
  });

  it('downsamples 4×4 → 2×2 by averaging each 2×2 block (centres fall between pixels)', () => {
    const src = Float32Array.from({ length: 16 }, (_, i) => i); // v = 4y + x
    near(resizeBilinear(src, 4, 4, 1, 2, 2), [2.5, 4.5, 10.5, 12.5]);
  });

  it('handles non-square sizes and keeps channels apart', () => {
    // 1×3 → 1×2: source x = .25 and 1.75. Channel 2 is channel 1 × 100.
    const out = resizeBilinear(Float32Array.from([0, 0, 4, 400, 8, 800]), 1, 3, 2, 1, 2);
    near(out, [1, 100, 7, 700]);
  });

  it('is the identity at the same size (and copies)', () => {
    const src = Float32Array.from([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
    const out = resizeBilinear(src, 2, 2, 3, 2, 2);
    assert.deepStrictEqual(Array.from(out), Array.from(src));
    assert.notStrictEqual(out, src);
  });

  it('matches tf.image.resizeBilinear(halfPixelCenters) on the cpu backend', () => {
    const [h, w, c, oh, ow] = [5, 7, 3, 3, 11];
    const src = Float32Array.from({ length: h * w * c }, (_, i) => (i * 37) % 101);
    const ref = tf.tidy(() =>
      tf.image.resizeBilinear(tf.tensor4d(src, [1, h, w, c]), [oh, ow], false, true).dataSync(),
    );
    near(resizeBilinear(src, h, w, c, oh, ow), ref, 1e-3);
  });
});
