import * as assert from 'assert';
import { methodLabel, positionMap, regionShares, summarize } from '../../../../src/engine/saliency/summary';

/** An h×w map that is zero except for the given cells. */
function grid(h: number, w: number, cells: [number, number, number][]): number[] {
  const values = new Array<number>(h * w).fill(0);
  for (const [r, c, v] of cells) values[r * w + c] = v;
  return values;
}

describe('saliency summary', () => {
  const image = (h: number, w: number) => ({ kind: 'image' as const, height: h, width: w });

  it('names the image region with the largest share of |attribution|', () => {
    // 4×4, most mass top-left, negative values count by magnitude.
    const values = grid(4, 4, [[0, 0, -6], [1, 1, 2], [3, 3, 2]]);
    assert.strictEqual(summarize(values, [4, 4, 1], 'integrated-gradients', image(4, 4)), '80% of |IG| in the upper-left quadrant');
    const right = grid(4, 4, [[0, 3, 1], [3, 2, 3]]);
    assert.strictEqual(summarize(right, [4, 4], 'gradient', image(4, 4)), '75% of |gradient| in the lower-right quadrant');
  });

  it('prefers the centre when the mass sits in the middle', () => {
    const values = grid(4, 4, [[1, 1, 1], [1, 2, 1], [2, 1, 1], [2, 2, 1]]);
    assert.strictEqual(summarize(values, [4, 4, 1], 'occlusion', image(4, 4)), '100% of |occlusion| in the centre');
  });

  it('splits odd-sized images fairly: the middle row and column count half to each side', () => {
    const map = positionMap(grid(3, 3, [[1, 1, 4]]), [3, 3], image(3, 3));
    assert.ok(map);
    const shares = Object.fromEntries(regionShares(map).map((r) => [r.name, r.share]));
    assert.strictEqual(shares['the upper-left quadrant'], 0.25);
    assert.strictEqual(shares['the lower-right quadrant'], 0.25);
    // The centre spans rows/cols 0.75..2.25: all of the middle pixel.
    assert.strictEqual(shares['the centre'], 1);
  });

  it('sums channels per position, and reads Grad-CAM maps at their own resolution', () => {
    const rgb = [1, 1, 1, 0, 0, 0, 0, 0, 0, 0, 0, -1]; // 2×2×3
    const map = positionMap(rgb, [2, 2, 3], image(2, 2));
    assert.deepStrictEqual(Array.from(map?.values ?? []), [3, 0, 0, 1]);
    assert.deepStrictEqual(Array.from(positionMap(rgb, [2, 2, 3], image(2, 2), 'signed')?.values ?? []), [3, 0, 0, -1]);
    const cam = positionMap(grid(2, 2, [[1, 0, 5]]), [2, 2], image(28, 28));
    assert.deepStrictEqual(cam && [cam.height, cam.width], [2, 2]);
    assert.strictEqual(summarize(grid(2, 2, [[1, 0, 5]]), [2, 2], 'grad-cam', image(28, 28)), '100% of |Grad-CAM| in the lower-left quadrant');
  });

  it('names the tabular feature that carries the most', () => {
    const features = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width'];
    assert.strictEqual(summarize([0.1, -0.19, -0.71, 0], [4], 'integrated-gradients', { kind: 'tabular', features }), 'petal_length carries 71% of |IG|');
    assert.strictEqual(summarize([0.5, 0, 0, 0.5], [4], 'gradient', { kind: 'tensor', features }), 'sepal_length carries 50% of |gradient|', 'ties: the first');
    assert.strictEqual(summarize([1, 3], [2], 'gradient', { kind: 'tensor', features }), 'top 10% of positions carry 75% of |gradient|', 'names only when they fit');
  });

  it('falls back to the concentration of the top 10% of positions', () => {
    const values = [10, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1];
    assert.strictEqual(summarize(values, [20], 'gradient-x-input', { kind: 'tensor' }), 'top 10% of positions carry 55% of |gradient×input|');
    // Tabular without feature names too.
    assert.strictEqual(summarize([1, 3], [2], 'smoothgrad', { kind: 'tabular' }), 'top 10% of positions carry 75% of |SmoothGrad|');
  });

  it('says so when the attribution is zero', () => {
    assert.strictEqual(summarize([0, 0, 0, 0], [2, 2], 'grad-cam', image(2, 2)), '|Grad-CAM| is zero everywhere');
  });

  it('has a label for every method', () => {
    for (const m of ['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad', 'grad-cam', 'occlusion'] as const) {
      assert.match(methodLabel(m), /^\|.+\|$/);
    }
  });
});
