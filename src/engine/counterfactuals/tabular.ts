/**
 * A tabular counterfactual problem: the feature space (raw units, constraints, costs) and the
 * model's decision, with rows of raw values (k × d, row-major Float64Array) going in and margins,
 * gradients and verdicts coming out. Rows enter the model as a CSV row would: each value as
 * float32, then (x − mean) / std.
 */
import * as tf from '@tensorflow/tfjs';
import { violations, type FeatureSpace } from './constraints';
import { judge, type Decision, type Verdict } from './decision';

export class TabularProblem {
  constructor(
    readonly space: FeatureSpace,
    readonly decision: Decision,
    /** The margin the target must win by (logits). */
    readonly epsilon: number,
  ) {}

  get d(): number {
    return this.space.features.length;
  }

  /** The model's input for raw rows, [k, d] float32. */
  inputs(rows: Float64Array): tf.Tensor2D {
    const { mean, std } = this.space;
    const d = this.d;
    const z = new Float32Array(rows.length);
    for (let i = 0; i < rows.length; i++) z[i] = (Math.fround(rows[i]) - mean[i % d]) / std[i % d];
    return tf.tensor2d(z, [rows.length / d, d], 'float32');
  }

  margins(rows: Float64Array): Float64Array {
    return Float64Array.from(tf.tidy(() => this.decision.margin(this.inputs(rows)).dataSync()));
  }

  /**
   * Margins, and −∂hinge/∂x in raw units (the direction that raises the target over the runner-up
   * while it does not win by ε; zero where it does), one row per point: one forward and backward pass.
   */
  marginsAndAscent(rows: Float64Array): { margins: Float64Array; ascent: Float64Array } {
    const { std } = this.space;
    const d = this.d;
    let kept: tf.Tensor | null = null;
    const g = tf.tidy(() =>
      tf
        .grad((p: tf.Tensor) => {
          kept = tf.keep(this.decision.margin(p));
          return this.decision.hinge(p, this.epsilon).sum();
        })(this.inputs(rows))
        .dataSync(),
    );
    const margins = Float64Array.from((kept as unknown as tf.Tensor).dataSync());
    tf.dispose(kept as unknown as tf.Tensor);
    const ascent = new Float64Array(g.length);
    for (let i = 0; i < g.length; i++) ascent[i] = -g[i] / std[i % d];
    return { margins, ascent };
  }

  verdicts(rows: Float64Array): Verdict[] {
    return judge(this.decision, this.inputs(rows));
  }

  /** Whether a row is a counterfactual to return: feasible, and the real model gives the target. */
  accepts(row: Float64Array, verdict: Verdict): boolean {
    return verdict.prediction === this.decision.target && verdict.margin > 0 && violations(this.space, row).length === 0;
  }
}

/** Row r of a k × d matrix (a view). */
export function rowOf(rows: Float64Array, r: number, d: number): Float64Array {
  return rows.subarray(r * d, (r + 1) * d);
}

/** Rows stacked into one k × d matrix. */
export function stack(rows: ArrayLike<number>[], d: number): Float64Array {
  const out = new Float64Array(rows.length * d);
  rows.forEach((r, i) => out.set(r, i * d));
  return out;
}
