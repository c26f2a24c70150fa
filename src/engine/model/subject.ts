/**
 * The attributable subject (Captum's forward_func): a function from a point to the objective,
 * [k, ...] → [k], that every attribution method differentiates. The point lives at the model's
 * input, or at a layer's output (text models' embeddings; a layer's activations for concept
 * methods), where the subject runs the rest of the model from the given values. Methods see only
 * the subject, so input attribution, layer attribution and token attribution share one registry.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { forward } from '../checkpoint/forward';
import { LensError } from '../errors';
import { exampleElements } from './batching';
import { runFromLayer } from './fromLayer';
import { flatLayers, layerOutput } from './layerTap';
import { hasFinalSoftmax } from './logits';
import { classObjective, objectiveFunction, objectiveOfOutput, targetColumn, type Objective } from './objective';
import { inputPathGradients, type PathGradients } from './pathGradients';
import { outputKind, type OutputKind } from './probabilities';

export interface Subject {
  /** The point explained, [1, ...] in the subject's space; owned by the subject. */
  x: tf.Tensor;
  /** The objective at each of k points [k, ...] → [k]. Synchronous and differentiable; runs inside the caller's tidy. */
  forward(points: tf.Tensor): tf.Tensor1D;
  /** ∇ forward at each of k points, [k, ...] (examples do not interact). */
  gradient(points: tf.Tensor): tf.Tensor;
  /** Float32 elements one point occupies while its gradient runs (exampleElements): sizes batches. */
  elements: number;
  /** Σᵢ wᵢ ∇F(b + αᵢ δ) faster than point by point, where the compiled model knows how. */
  pathGradients?: PathGradients;
  /** Set where the gradient helper can evaluate this subject itself: the input, with a class in output space. */
  helper?: { modelPath: string; target: number };
  /** 'the input', or "layer 'emb''s output", for messages. */
  where: string;
  dispose(): void;
}

/** The output's kind on x, for objectives that read probabilities or logits (decided once, on the unperturbed point). */
function kindOn(run: () => tf.Tensor): OutputKind {
  return tf.tidy(() => {
    const out = run();
    return outputKind(out.reshape([out.shape[0], -1]) as tf.Tensor2D);
  });
}

function needsKind(objective: Objective): boolean {
  return !(objective.kind === 'class' && objective.space === 'output');
}

/** The subject at the model's input: x [1, ...] (not owned: the caller keeps it). */
export function inputSubject(checkpoint: Checkpoint, x: tf.Tensor, objective: Objective): Subject {
  const kind = needsKind(objective) ? kindOn(() => forward(checkpoint, x)) : undefined;
  const f = objectiveFunction(checkpoint, objective, kind);
  const classInOutput = objective.kind === 'class' && objective.space === 'output';
  return {
    x,
    forward: f,
    gradient: (points) => tf.grad((p: tf.Tensor) => f(p).sum())(points),
    elements: exampleElements(checkpoint.model, x.size),
    ...(classInOutput ? { pathGradients: inputPathGradients(checkpoint, objective.index), helper: { modelPath: checkpoint.path, target: objective.index } } : {}),
    where: 'the input',
    dispose: () => {},
  };
}

/**
 * The subject at `layer`'s output, of a layers model: x [1, ...] drives the layers before it; the
 * subject's point is the layer's output on x (owned by the subject), and forward(values) runs the
 * model with that output REPLACED by values [k, ...] (layerTap.ts). `what` names the method for messages.
 */
export function layerSubject(checkpoint: Checkpoint, layer: tf.layers.Layer, x: tf.Tensor, objective: Objective, what = 'The method'): Subject {
  const model = checkpoint.model;
  if (!(model instanceof tf.LayersModel)) throw new LensError('INVALID_INPUT', `${what} needs a layers model to run from a layer's output.`);
  const at = layerOutput(model, layer, x, what);
  const logits = !(objective.kind === 'class' && objective.space !== 'logit') && hasFinalSoftmax(model);
  const run = (values: tf.Tensor) => runFromLayer({ model, layer, x, logits, what }, values);
  let kind: OutputKind | undefined;
  try {
    kind = logits ? 'logits' : needsKind(objective) ? kindOn(() => run(at)) : undefined;
  } catch (err) {
    at.dispose();
    throw err;
  }
  const f = (values: tf.Tensor): tf.Tensor1D =>
    objective.kind === 'class' && objective.space === 'output' ? targetColumn(run(values), objective.index) : objectiveOfOutput(run(values), objective, kind as OutputKind);
  return {
    x: at,
    forward: f,
    gradient: (points) => tf.grad((p: tf.Tensor) => f(p).sum())(points),
    elements: exampleElements(model, x.size),
    where: `layer '${layer.name}''s output`,
    dispose: () => at.dispose(),
  };
}

/** The first Embedding layer of the model, looking inside nested models too; null if none. */
export function embeddingLayer(model: tf.LayersModel): tf.layers.Layer | null {
  return flatLayers(model).find((l) => l.getClassName() === 'Embedding') ?? null;
}

/** The subject of the `target` option: the class in output space, at the input. */
export function targetSubject(checkpoint: Checkpoint, x: tf.Tensor, target: number): Subject {
  return inputSubject(checkpoint, x, classObjective(target));
}
