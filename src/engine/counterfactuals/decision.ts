/**
 * The model's decision as counterfactual searches see it: class scores (logits, or
 * log-probabilities where the model outputs a distribution: their class margins are the same), the
 * margin of the target over the runner-up, and the hinge max(0, ε − margin) that searches descend
 * (Wachter et al.'s and DiCE's), all differentiable over a batch of points in the model's input space; and the
 * verdict of the real model in float32 on the points a method wants to return (predicted class and
 * probabilities), which every returned counterfactual must pass.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { forward, headOutput } from '../checkpoint/forward';
import { hasFinalSoftmax, withLogits } from '../model/logits';
import { outputKind, toProbabilities, type OutputKind } from '../model/probabilities';
import { LensError } from '../errors';

export interface Verdict {
  prediction: number;
  probabilities: number[];
  /** log p_target − max_{j≠target} log p_j: positive when the target wins. */
  margin: number;
}

export interface Decision {
  target: number;
  classes: number;
  /** s_t − max_{j≠t} s_j over the class scores s of points [k, ...] in the model's input space, [k]: positive where the target wins. Differentiable; call inside a tidy. */
  margin(points: tf.Tensor): tf.Tensor1D;
  /** max(0, ε − margin), [k]: zero where the target wins by ε. */
  hinge(points: tf.Tensor, epsilon: number): tf.Tensor1D;
  /** The real model's verdict on each point [k, ...] (model.predict in float32, not the compiled form). */
  verdicts(points: tf.Tensor): Verdict[];
}

/** The decision for `target`, with the output's kind read once on `x` (the original input, [1, ...]). */
export function decisionFor(checkpoint: Checkpoint, x: tf.Tensor, target: number): Decision {
  // The head as methods read it (a sigmoid unit as two classes): its width is the number of classes.
  const [kind, classes] = tf.tidy((): [OutputKind, number] => {
    const out = forward(checkpoint, x);
    const rows = out.reshape([out.shape[0], -1]) as tf.Tensor2D;
    return [outputKind(rows), rows.shape[1]];
  });
  if (classes < 2) throw new LensError('BAD_REQUEST', 'A counterfactual needs a model with at least two output classes.');
  const scores = scoreFunction(checkpoint, kind);
  const margin = (points: tf.Tensor): tf.Tensor1D => {
    const s = scores(points);
    const isTarget = tf.oneHot(tf.fill([s.shape[0]], target, 'int32'), classes).cast('bool');
    const mine = s.slice([0, target], [-1, 1]).reshape([-1]);
    return tf.sub(mine, tf.max(tf.where(isTarget, tf.fill(s.shape, -Infinity), s), 1)) as tf.Tensor1D;
  };
  // The model itself (not its compiled form), reading the request's head.
  const real = { model: checkpoint.model, head: checkpoint.head };
  return {
    target,
    classes,
    margin,
    hinge: (points, epsilon) => tf.relu(tf.sub(epsilon, margin(points))) as tf.Tensor1D,
    verdicts(points) {
      const p = tf.tidy(() => {
        const out = forward(real, points);
        return toProbabilities(out.reshape([out.shape[0], -1]) as tf.Tensor2D, kind).arraySync() as number[][];
      });
      return p.map((probabilities) => verdictOf(probabilities, target));
    },
  };
}

/** [k, ...] → [k, classes] logits, or log-probabilities when the model outputs a distribution it cannot be made to skip. */
export function scoreFunction(checkpoint: Checkpoint, kind: OutputKind): (x: tf.Tensor) => tf.Tensor2D {
  const model = checkpoint.model;
  if (model instanceof tf.LayersModel && hasFinalSoftmax(model)) {
    return (x) => {
      const out = withLogits(model, () => headOutput(checkpoint, model.apply(x, { training: false })));
      return out.reshape([out.shape[0], -1]) as tf.Tensor2D;
    };
  }
  return (x) => {
    const out = forward(checkpoint, x);
    const rows = out.reshape([out.shape[0], -1]) as tf.Tensor2D;
    return kind === 'probabilities' ? (tf.log(tf.maximum(rows, 1e-30)) as tf.Tensor2D) : rows;
  };
}

/** The decision's verdicts on points it then disposes (the caller hands them over). */
export function judge(decision: Decision, points: tf.Tensor): Verdict[] {
  try {
    return decision.verdicts(points);
  } finally {
    points.dispose();
  }
}

export function verdictOf(probabilities: number[], target: number): Verdict {
  const prediction = probabilities.indexOf(Math.max(...probabilities));
  const others = Math.max(...probabilities.filter((_, j) => j !== target));
  const margin = Math.log(Math.max(probabilities[target], 1e-45)) - Math.log(Math.max(others, 1e-45));
  return { prediction, probabilities, margin };
}
