/** The difference map of two images of one size: per pixel, the change of the mean of R, G and B (after − before), 0–255 units. */
import type { Grid } from './grid';
import type { Rgba } from './pixels';

export function pixelDifference(before: Rgba, after: Rgba): Grid {
  if (before.width !== after.width || before.height !== after.height) {
    throw new Error(`the images differ in size: ${before.width}×${before.height} and ${after.width}×${after.height}`);
  }
  const values = new Float64Array(before.width * before.height);
  for (let p = 0; p < values.length; p++) {
    const o = p * 4;
    values[p] = (after.rgba[o] + after.rgba[o + 1] + after.rgba[o + 2] - before.rgba[o] - before.rgba[o + 1] - before.rgba[o + 2]) / 3;
  }
  return { width: before.width, height: before.height, values };
}
