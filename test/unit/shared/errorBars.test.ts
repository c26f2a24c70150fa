/**
 * A bar chart's ± error bars (src/shared/errorBars.ts), drawn by widgets/chart.ts: against the
 * pixels a linear value axis gives by hand, clipped to the axis' range, a zero error as one cap.
 */
import * as assert from 'assert';
import { errorBarSegments, type ErrorBarAxis } from '../../../src/shared/errorBars';

/** A vertical value axis from 0 (pixel 200) to 1 (pixel 0), as Chart.js maps a y scale: 200 px per unit, upwards. */
const vertical: ErrorBarAxis = { toPixel: (v) => 200 - 200 * v, min: 0, max: 1, horizontal: false };
/** A horizontal one from 0 (pixel 50) to 1 (pixel 450). */
const horizontal: ErrorBarAxis = { toPixel: (v) => 50 + 400 * v, min: 0, max: 1, horizontal: true };

describe('shared/errorBars: ± error bars of a bar chart', () => {
  it('a stem from value − error to value + error, and a cap across each end (vertical bars)', () => {
    // 0.5 ± 0.25 at x = 30: from 0.25 (pixel 150) to 0.75 (pixel 50).
    assert.deepStrictEqual(errorBarSegments(0.5, 0.25, 30, vertical, 4), [
      [30, 150, 30, 50],
      [26, 150, 34, 150],
      [26, 50, 34, 50],
    ]);
  });

  it('along x for horizontal bars, with the caps across y', () => {
    // 0.5 ± 0.25 at y = 80: from 0.25 (pixel 150) to 0.75 (pixel 350).
    assert.deepStrictEqual(errorBarSegments(0.5, 0.25, 80, horizontal, 3), [
      [150, 80, 350, 80],
      [150, 77, 150, 83],
      [350, 77, 350, 83],
    ]);
  });

  it("is clipped to the axis' range, without a cap where it is cut (the bar goes on beyond it)", () => {
    // 0.1 ± 0.3 would reach −0.2: the stem stops at 0 (pixel 200), capped only at 0.4 (pixel 120).
    assert.deepStrictEqual(errorBarSegments(0.1, 0.3, 10, vertical, 4), [
      [10, 200, 10, 120],
      [6, 120, 14, 120],
    ]);
    // 0.75 ± 0.5 cut at 1 (pixel 0): capped at 0.25 (pixel 150) only.
    assert.deepStrictEqual(errorBarSegments(0.75, 0.5, 10, vertical, 4), [
      [10, 150, 10, 0],
      [6, 150, 14, 150],
    ]);
  });

  it('a zero error is a single cap at the value (every run scored the same); a negative error counts as its size', () => {
    assert.deepStrictEqual(errorBarSegments(1, 0, 10, vertical, 4), [[6, 0, 14, 0]]);
    assert.deepStrictEqual(errorBarSegments(0, 0, 10, vertical, 4), [[6, 200, 14, 200]]);
    assert.deepStrictEqual(errorBarSegments(0.5, -0.25, 30, vertical, 4), errorBarSegments(0.5, 0.25, 30, vertical, 4));
  });

  it('draws nothing for a missing value or error, or a bar wholly outside the axis', () => {
    for (const [v, e, at] of [
      [NaN, 0.1, 10],
      [0.5, NaN, 10],
      [0.5, 0.1, NaN],
      [0.5, Infinity, 10],
      [2, 0.5, 10],
    ]) {
      assert.deepStrictEqual(errorBarSegments(v, e, at, vertical), [], `${v} ± ${e} at ${at}`);
    }
  });
});
