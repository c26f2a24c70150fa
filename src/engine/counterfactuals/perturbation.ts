/**
 * perturbation: the smallest change Δ of an image, in pixel units p = raw / 255, that makes the model
 * predict the target:
 *
 *   min hinge(ε − margin(p₀ + Δ)) + λ (‖Δ‖₁ + w · TV(Δ)),   0 ≤ p₀ + Δ ≤ 1,
 *
 * by proximal gradient steps (soft threshold for the L1 term, a smoothed total variation in the
 * gradient, the pixel range by clipping) with the step and λ schedule of schedule.ts. The cheapest
 * winning change is scaled back along its segment to the smallest that still wins once rounded to
 * 8-bit pixels, which is the image returned.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { Decision } from './decision';
import type { PixelSpace } from './pixels';
import { Schedule, STAGE } from './schedule';

export interface PerturbationSettings {
  epsilon: number;
  tvWeight: number;
  steps: number;
}

export interface Perturbed {
  /** The counterfactual's pixels (8-bit grid), or null with why. */
  pixels: Float64Array | null;
  steps: number;
  failure: string | null;
}

/** Largest move of one pixel in one step at base speed (a twentieth of the pixel range). */
const STEP = 0.05;
/** Smoothing of |·| in the total variation's gradient, in pixel units. */
const TV_SMOOTHING = 1e-2;
const BISECTIONS = 12;

export async function perturbation(decision: Decision, pixels: PixelSpace, p0: Float64Array, settings: PerturbationSettings, ctx: RunContext): Promise<Perturbed> {
  const { epsilon, tvWeight } = settings;
  const { height: h, width: w, channels: c } = pixels;
  const slope = tf.tensor1d(Array.from({ length: pixels.size }, (_, i) => pixels.slope(i % c)));
  const origin = tf.tensor1d(Float32Array.from(p0));
  const offset = tf.tidy(() => pixels.toModel(new Float64Array(pixels.size)).reshape([-1]));
  const model = (delta: tf.Tensor) => tf.reshape(tf.add(tf.mul(tf.add(origin, delta), slope), offset), pixels.shape);
  // Smoothed anisotropic TV of Δ on its h × w × c grid.
  const tv = (delta: tf.Tensor) => {
    const g = delta.reshape([h, w, c]);
    const smooth = (d: tf.Tensor) => tf.sum(tf.sub(tf.sqrt(tf.add(tf.square(d), TV_SMOOTHING ** 2)), TV_SMOOTHING));
    return tf.add(smooth(tf.sub(g.slice([1, 0, 0], [h - 1, w, c]), g.slice([0, 0, 0], [h - 1, w, c]))), smooth(tf.sub(g.slice([0, 1, 0], [h, w - 1, c]), g.slice([0, 0, 0], [h, w - 1, c]))));
  };
  let delta = tf.zeros([pixels.size]);
  let best: tf.Tensor | null = null;
  let bestCost = Infinity;
  let schedule: Schedule | null = null;
  let step = 0;
  try {
    for (; step < settings.steps; step++) {
      const [marginT, scaleT, ascent] = tf.tidy(() => {
        const m = decision.margin(model(delta));
        const up = tf.neg(tf.grad((d: tf.Tensor) => decision.hinge(model(d), epsilon).sum())(delta));
        const p = tf.add(origin, delta);
        // Pixels free to move the way that raises the margin.
        const free = tf.logicalOr(tf.logicalAnd(tf.greater(up, 0), tf.less(p, 1)), tf.logicalAnd(tf.less(up, 0), tf.greater(p, 0)));
        return [m, tf.max(tf.where(free, tf.abs(up), tf.zerosLike(up))), up];
      });
      const [margin, scale] = [marginT.dataSync()[0], scaleT.dataSync()[0]];
      tf.dispose([marginT, scaleT]);
      schedule ??= new Schedule(STEP, scale, margin, epsilon);
      if (schedule.observe(step, margin, scale)) {
        const cost = pixels.cost(tf.tidy(() => tf.add(origin, delta).dataSync()), p0, tvWeight);
        if (cost < bestCost) {
          best?.dispose();
          [best, bestCost] = [delta.clone(), cost];
        }
      }
      const { eta, lambda } = schedule;
      const next = tf.tidy(() => {
        const smooth = tvWeight > 0 ? tf.mul(tf.grad(tv)(delta), lambda * tvWeight) : tf.zerosLike(delta);
        const v = tf.sub(tf.add(delta, tf.mul(ascent, eta)), tf.mul(smooth, eta));
        const shrunk = tf.mul(tf.sign(v), tf.relu(tf.sub(tf.abs(v), eta * lambda)));
        return tf.clipByValue(tf.add(origin, shrunk), 0, 1).sub(origin);
      });
      ascent.dispose();
      delta.dispose();
      delta = next;
      if ((step + 1) % STAGE === 0) {
        schedule.endStage(margin);
        if (schedule.done(step)) break;
        ctx.onProgress(step + 1, settings.steps, 'Searching for a counterfactual image');
        await new Promise<void>((resolve) => setImmediate(resolve));
        ctx.signal.throwIfAborted();
      }
    }
    const found = best && shrinkQuantized(decision, pixels, p0, Float64Array.from(best.dataSync()), epsilon);
    if (!found) return { pixels: null, steps: step, failure: `No change within the pixel range made the model predict the target by a margin of ${epsilon} within ${settings.steps} steps: raise --steps.` };
    return { pixels: found, steps: step, failure: null };
  } finally {
    tf.dispose([slope, origin, offset, delta, ...(best ? [best] : [])]);
  }
}

/**
 * p₀ + t·Δ on the 8-bit grid for the smallest t that still wins by ε: t ≤ 1 by bisection, or a little
 * beyond the found change where rounding lost it; null when even 4Δ loses.
 */
function shrinkQuantized(decision: Decision, pixels: PixelSpace, p0: Float64Array, delta: Float64Array, epsilon: number): Float64Array | null {
  const at = (t: number) => pixels.quantize(p0.map((v, i) => v + t * delta[i]));
  const wins = (p: Float64Array) => tf.tidy(() => decision.margin(pixels.toModel(p)).dataSync()[0]) >= epsilon;
  let [lo, hi] = [0, 1];
  while (!wins(at(hi))) {
    if (hi >= 4) return null;
    [lo, hi] = [hi, hi * 1.25];
  }
  for (let n = 0; n < BISECTIONS; n++) {
    const mid = (lo + hi) / 2;
    if (wins(at(mid))) hi = mid;
    else lo = mid;
  }
  return at(hi);
}
