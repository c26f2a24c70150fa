/**
 * A layers model compiled for inference (graph.ts, fold.ts, affine.ts): the same function as
 * `model.predict`, with batch norms folded and activations fused. Built at load when the model's
 * graph allows it and its outputs match `model.predict` on a probe input; otherwise the checkpoint
 * runs through `model.predict` as before.
 */
import * as tf from '@tensorflow/tfjs';
import { activate, affineForward, affineInputGradient, hasDilation, runAffine, type Affine } from './affine';
import { planSteps, type Plan, type Step } from './fold';
import { layerGraph, type LayerGraph } from './graph';

/** Largest |compiled − predict| allowed on the probe, relative to the outputs' largest magnitude. */
const PROBE_TOLERANCE = 1e-4;

export class InferenceModel {
  private plan: Plan;
  private stamps: object[];

  private constructor(private readonly graph: LayerGraph) {
    this.plan = planSteps(graph);
    this.stamps = this.plan.sources.map((v) => v.dataId);
  }

  /**
   * The compiled model, or the reason `model.predict` must be used. `probe` is an input of the
   * model's shape; the compiled outputs must match predict's on it.
   */
  static compile(model: tf.LayersModel, probe: tf.Tensor): InferenceModel | string {
    const graph = layerGraph(model);
    if (typeof graph === 'string') return graph;
    const compiled = new InferenceModel(graph);
    const gap = tf.tidy(() => {
      const expected = model.predict(probe) as tf.Tensor;
      const diff = tf.max(tf.abs(tf.sub(compiled.predict(probe), expected))).dataSync()[0];
      const scale = tf.max(tf.abs(expected)).dataSync()[0];
      return diff / Math.max(scale, 1e-6);
    });
    if (gap <= PROBE_TOLERANCE) return compiled;
    compiled.dispose();
    return `its folded form differs from predict() by ${gap.toExponential(1)} (relative) on a probe input`;
  }

  /** The model's output for x, as `model.predict(x)` would give it. */
  predict(x: tf.Tensor): tf.Tensor {
    this.refoldIfWeightsChanged();
    return tf.tidy(() => this.run(new Map([[this.graph.input, x]]), this.plan.steps));
  }

  /**
   * Σₖ wₖ ∇score(b + αₖ δ) over a batch of path nodes αₖ ([1, ...], like b), where score maps the
   * model's output to one value per example; undefined unless the model starts with an affine step
   * on its input. That step's linear part L gives L(b + αδ) = L(b) + α L(δ), so it runs on b and δ
   * once, and its transposed product once on the weighted sum of the gradients at its output,
   * instead of once per point (on the 32×32 CNN, its input gradient was a fifth of IG's time).
   * Synchronous: call it inside a tidy.
   */
  weightedPathGradients(baseline: tf.Tensor, delta: tf.Tensor, nodes: number[], weights: number[], score: (output: tf.Tensor) => tf.Tensor): tf.Tensor | undefined {
    const first = this.plan.steps[0];
    if (first?.kind !== 'affine' || first.input !== this.graph.input || hasDilation(first.affine.op)) return undefined;
    this.refoldIfWeightsChanged();
    const step = first.affine;
    const linear: Affine = { ...step, activation: 'linear' };
    const atBaseline = affineForward(linear, baseline); // L(b) + bias
    const along = affineForward({ ...linear, bias: null }, delta); // L(δ)
    const column = [nodes.length, ...along.shape.slice(1).map(() => 1)];
    const points = tf.add(atBaseline, tf.mul(tf.tensor(nodes, column, 'float32'), along));
    const w = tf.tensor1d(weights, 'float32');
    const weightedScore = (u: tf.Tensor) => {
      const activated = activate(step.activation, u);
      const y = first.then?.activation ? first.then.activation.apply(activated) : activated;
      return tf.sum(tf.mul(score(this.run(new Map([[first.output, y]]), this.plan.steps.slice(1))), w));
    };
    const atFirstLayer = tf.sum(tf.grad(weightedScore)(points), 0, true);
    return affineInputGradient(step, atFirstLayer, baseline);
  }

  dispose(): void {
    tf.dispose(this.plan.owned);
  }

  /** Runs `steps` from the tensors in `values` (by symbolic id) to the model's output. */
  private run(values: Map<number, tf.Tensor>, steps: Step[]): tf.Tensor {
    for (const step of steps) {
      if (step.kind === 'affine') {
        const y = runAffine(step.affine, values.get(step.input) as tf.Tensor);
        values.set(step.output, step.then?.activation ? step.then.activation.apply(y) : y);
      } else {
        const inputs = step.inputs.map((id) => values.get(id) as tf.Tensor);
        values.set(step.output, step.layer.apply(inputs.length === 1 ? inputs[0] : inputs, {}) as tf.Tensor);
      }
    }
    return values.get(this.graph.output) as tf.Tensor;
  }

  /** Writing a variable gives it a new dataId (influence perturbs and restores weights): fold again. */
  private refoldIfWeightsChanged(): void {
    if (this.plan.sources.every((v, i) => v.dataId === this.stamps[i])) return;
    this.dispose();
    this.plan = planSteps(this.graph);
    this.stamps = this.plan.sources.map((v) => v.dataId);
  }
}
