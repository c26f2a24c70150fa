/**
 * Training to a tight optimum and retraining without one example, with plain tfjs gradients: the
 * independent truth that influence functions are validated against. Nothing here calls the
 * engine's influence code.
 *
 * The objective is Σ_j w_j·CE(z_j; θ) + (λ/2)‖θ‖² over every trainable weight, with w_j = 1/n for
 * training (the mean loss) and w_i = 0 for the removed example, i.e. Koh & Liang's upweighting by
 * ε = −1/n. Cross-entropy is computed from logits, so it stays accurate for confident predictions.
 */
import * as tf from '@tensorflow/tfjs';

/** The model's pre-softmax outputs for a data set's (precomputed) features, from its current weights. */
export type LogitsFn = (features: tf.Tensor) => tf.Tensor2D;

export class RegularisedLoss {
  private readonly variables: tf.Variable[];
  private readonly onehot: tf.Tensor2D;
  readonly size: number;

  constructor(
    model: tf.LayersModel,
    private readonly logits: LogitsFn,
    private readonly features: tf.Tensor,
    labels: Int32Array,
    private readonly lambda: number,
  ) {
    this.variables = model.trainableWeights.map((w) => w.read() as tf.Variable);
    this.size = this.variables.reduce((s, v) => s + v.size, 0);
    this.onehot = oneHot(labels, model.outputs[0].shape[1] as number);
  }

  getParams(): Float64Array {
    const theta = new Float64Array(this.size);
    let at = 0;
    for (const v of this.variables) {
      theta.set(v.dataSync(), at);
      at += v.size;
    }
    return theta;
  }

  setParams(theta: Float64Array): void {
    let at = 0;
    for (const v of this.variables) {
      tf.tidy(() => v.assign(tf.tensor(Float32Array.from(theta.subarray(at, at + v.size)), v.shape)));
      at += v.size;
    }
  }

  /**
   * Value and gradient at θ of the objective with per-example weights `weights` (length n). The
   * value is summed in float64 from per-example losses: a float32 sum could not resolve the
   * objective's decrease near the optimum.
   */
  valueAndGradient(theta: Float64Array, weights: Float32Array): { value: number; gradient: Float64Array } {
    this.setParams(theta);
    const w = tf.tensor1d(weights);
    let perExample: tf.Tensor | null = null;
    const { value, grads } = tf.variableGrads(() => {
      const ce = this.crossEntropy(this.features, this.onehot);
      perExample = tf.keep(ce.clone());
      const norm = tf.addN(this.variables.map((v) => tf.sum(tf.square(v))));
      return tf.add(tf.sum(tf.mul(w, ce)), tf.mul(this.lambda / 2, norm)) as tf.Scalar;
    }, this.variables);
    const gradient = new Float64Array(this.size);
    let at = 0;
    for (const v of this.variables) {
      gradient.set(grads[v.name].dataSync(), at);
      at += v.size;
    }
    const losses = perExample!.dataSync();
    tf.dispose([w, value, grads, perExample!]);
    let total = 0;
    for (let j = 0; j < losses.length; j++) total += weights[j] * losses[j];
    return { value: total + (this.lambda / 2) * dot(theta, theta), gradient };
  }

  /** Per-example cross-entropy at the current parameters of the examples with these features. */
  losses(features: tf.Tensor, labels: Int32Array): Float64Array {
    const losses = tf.tidy(() => this.crossEntropy(features, oneHot(labels, this.onehot.shape[1])));
    const values = Float64Array.from(losses.dataSync());
    losses.dispose();
    return values;
  }

  dispose(): void {
    this.onehot.dispose();
  }

  /** logSumExp(logits) − logit of the true class, per example. */
  private crossEntropy(features: tf.Tensor, onehot: tf.Tensor): tf.Tensor1D {
    const logits = this.logits(features);
    return tf.sub(tf.logSumExp(logits, 1), tf.sum(tf.mul(onehot, logits), 1));
  }
}

function oneHot(labels: Int32Array, classes: number): tf.Tensor2D {
  return tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), classes).toFloat() as tf.Tensor2D);
}

export interface MinimiseOptions {
  /** Stop when ‖∇‖₂ falls to this. */
  gradientTolerance: number;
  maxIterations: number;
  /** L-BFGS history length: how many (step, gradient change) pairs model the curvature. */
  memory: number;
}

export interface Minimum {
  theta: Float64Array;
  value: number;
  gradientNorm: number;
  iterations: number;
  evaluations: number;
}

/** Relative change of the objective below which two values count as equal (float32 losses; Hager & Zhang's default). */
const VALUE_NOISE = 1e-6;

/**
 * L-BFGS with a backtracking line search from θ₀. A step is accepted on the Armijo condition or,
 * where the objective no longer resolves the decrease (near the optimum), on Hager and Zhang's
 * approximate Wolfe condition: the value did not rise beyond noise, and the slope at the new point
 * is at most 0.8 of the starting descent rate, uphill (the step did not overshoot that line's
 * minimum by much).
 */
export function minimise(
  evaluate: (theta: Float64Array) => { value: number; gradient: Float64Array },
  theta0: Float64Array,
  options: MinimiseOptions,
): Minimum {
  const s: Float64Array[] = [];
  const y: Float64Array[] = [];
  let theta: Float64Array = Float64Array.from(theta0);
  let { value, gradient } = evaluate(theta);
  let evaluations = 1;
  let iterations = 0;
  while (norm(gradient) > options.gradientTolerance && iterations < options.maxIterations) {
    let direction = twoLoop(gradient, s, y);
    let slope = dot(gradient, direction);
    if (slope >= 0) {
      // Not a descent direction (the curvature pairs went stale): restart from steepest descent.
      s.length = y.length = 0;
      direction = gradient.map((g) => -g);
      slope = dot(gradient, direction);
    }
    // Without curvature pairs the direction is the raw gradient: cap the first move's length.
    let step = s.length === 0 ? Math.min(1, 0.1 / norm(direction)) : 1;
    let accepted: { theta: Float64Array; value: number; gradient: Float64Array } | null = null;
    for (let tries = 0; tries < 40 && !accepted; tries++, step /= 2) {
      const next = theta.map((t, k) => t + step * direction[k]);
      const trial = evaluate(next);
      evaluations++;
      if (!Number.isFinite(trial.value)) continue;
      const armijo = trial.value <= value + 1e-4 * step * slope;
      const approximateWolfe = trial.value <= value + VALUE_NOISE * Math.abs(value) && dot(trial.gradient, direction) <= -0.8 * slope;
      if (armijo || approximateWolfe) accepted = { theta: next, ...trial };
    }
    if (!accepted) break;
    const sk = accepted.theta.map((t, k) => t - theta[k]);
    const yk = accepted.gradient.map((g, k) => g - gradient[k]);
    if (dot(sk, yk) > 1e-12 * dot(yk, yk)) {
      s.push(sk);
      y.push(yk);
      if (s.length > options.memory) {
        s.shift();
        y.shift();
      }
    }
    ({ theta, value, gradient } = accepted);
    iterations++;
  }
  return { theta, value, gradientNorm: norm(gradient), iterations, evaluations };
}

/** −H⁻¹g by the L-BFGS two-loop recursion over the stored (s, y) pairs. */
function twoLoop(gradient: Float64Array, s: Float64Array[], y: Float64Array[]): Float64Array {
  const q = Float64Array.from(gradient);
  const alpha = new Float64Array(s.length);
  for (let k = s.length - 1; k >= 0; k--) {
    alpha[k] = dot(s[k], q) / dot(y[k], s[k]);
    axpy(-alpha[k], y[k], q);
  }
  if (s.length > 0) {
    const last = s.length - 1;
    const gamma = dot(s[last], y[last]) / dot(y[last], y[last]);
    for (let k = 0; k < q.length; k++) q[k] *= gamma;
  }
  for (let k = 0; k < s.length; k++) {
    const beta = dot(y[k], q) / dot(y[k], s[k]);
    axpy(alpha[k] - beta, s[k], q);
  }
  for (let k = 0; k < q.length; k++) q[k] = -q[k];
  return q;
}

function dot(a: Float64Array, b: Float64Array): number {
  let sum = 0;
  for (let k = 0; k < a.length; k++) sum += a[k] * b[k];
  return sum;
}

function norm(a: Float64Array): number {
  return Math.sqrt(dot(a, a));
}

/** b += a·x */
function axpy(a: number, x: Float64Array, b: Float64Array): void {
  for (let k = 0; k < b.length; k++) b[k] += a * x[k];
}
