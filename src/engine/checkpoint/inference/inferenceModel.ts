/**
 * A layers model compiled for inference (graph.ts, fold.ts, affine.ts): the same function as
 * `model.predict`, with batch norms folded and activations fused. Built at load when the model's
 * graph allows it and its outputs match `model.predict` on a probe input; otherwise the checkpoint
 * runs through `model.predict` as before.
 */
import * as tf from '@tensorflow/tfjs';
import { runAffine } from './affine';
import { planSteps, type Plan } from './fold';
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
    return tf.tidy(() => {
      const values = new Map<number, tf.Tensor>([[this.graph.input, x]]);
      for (const step of this.plan.steps) {
        if (step.kind === 'affine') {
          const y = runAffine(step.affine, values.get(step.input) as tf.Tensor);
          values.set(step.output, step.then?.activation ? step.then.activation.apply(y) : y);
        } else {
          const inputs = step.inputs.map((id) => values.get(id) as tf.Tensor);
          values.set(step.output, step.layer.apply(inputs.length === 1 ? inputs[0] : inputs, {}) as tf.Tensor);
        }
      }
      return values.get(this.graph.output) as tf.Tensor;
    });
  }

  dispose(): void {
    tf.dispose(this.plan.owned);
  }

  /** Writing a variable gives it a new dataId (influence perturbs and restores weights): fold again. */
  private refoldIfWeightsChanged(): void {
    if (this.plan.sources.every((v, i) => v.dataId === this.stamps[i])) return;
    this.dispose();
    this.plan = planSteps(this.graph);
    this.stamps = this.plan.sources.map((v) => v.dataId);
  }
}
