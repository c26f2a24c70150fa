/**
 * The attributable subject (Captum's forward_func): a function from a point to the objective,
 * [k, ...] → [k], that every attribution method differentiates. The point lives at the model's
 * input, or at a layer's output (text models' embeddings; a layer's activations for concept
 * methods), where the subject runs the rest of the model from the given values. Methods see only
 * the subject, so input attribution, layer attribution and token attribution share one registry.
 */
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { asyncOnly, forward, forwardAsync, headOutput, readHead } from '../checkpoint/forward';
import { LensError } from '../errors';
import { exampleElements } from './batching';
import { repeated, runFromLayer } from './fromLayer';
import { flatLayers, layerOutput } from './layerTap';
import { hasFinalSoftmax } from './logits';
import { classObjective, objectiveFunction, objectiveOfOutput, targetColumn, type Objective } from './objective';
import { inputPathGradients, type PathGradients } from './pathGradients';
import { outputKind, type OutputKind } from './probabilities';
import { graphInput, logitsNode, nodeOf, runGraph } from './graph';
import type { Site } from './sites';

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
  /**
   * The objective at k points without gradients, for methods that need none (occlusion): set for
   * models that run only through executeAsync, whose `forward` cannot run. The caller owns the result.
   */
  evaluate?(points: tf.Tensor): Promise<tf.Tensor1D>;
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
  // The helper thread reads the model's first output as it is: other heads stay on this thread.
  const classInOutput = objective.kind === 'class' && objective.space === 'output' && !checkpoint.head?.index && !checkpoint.head?.read;
  return {
    x,
    forward: f,
    gradient: (points) => tf.grad((p: tf.Tensor) => f(p).sum())(points),
    elements: exampleElements(checkpoint.model, x.size),
    ...(classInOutput ? { pathGradients: inputPathGradients(checkpoint, objective.index), helper: { modelPath: checkpoint.path, target: objective.index } } : {}),
    ...(checkpoint.async ? { evaluate: asyncEvaluation(checkpoint, objective) } : {}),
    where: 'the input',
    dispose: () => {},
  };
}

/** The objective of a model that runs only through executeAsync: a class in output space (no other objective reads it without gradients). */
function asyncEvaluation(checkpoint: Checkpoint, objective: Objective): (points: tf.Tensor) => Promise<tf.Tensor1D> {
  if (objective.kind !== 'class' || objective.space !== 'output') throw asyncOnly(checkpoint.async as string);
  return async (points) => {
    const out = await forwardAsync(checkpoint, points);
    try {
      return tf.tidy(() => targetColumn(out, objective.index));
    } finally {
      out.dispose();
    }
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
  const run = (values: tf.Tensor) => runFromLayer({ model, layer, x, logits, what, output: (out) => headOutput(checkpoint, out) }, values);
  return replacedSubject(at, run, objective, { logits, elements: exampleElements(model, x.size), where: `layer '${layer.name}''s output` });
}

/**
 * The subject at a node of a graph model: x [b, ...] is fed to the input; the point is the node's
 * output on x (owned by the subject), and forward(values) runs the graph with values fed at the node
 * (x still fed beside it, for branches that bypass the node). Objectives that read logits run the
 * first head to the input of its final Softmax; other heads are read as the request's head says.
 * Also where an integer input is attributed: at its Cast to floats (inputCastNode).
 */
export function graphNodeSubject(checkpoint: Pick<Checkpoint, 'model' | 'topology' | 'head'>, node: string, x: tf.Tensor, objective: Objective, what = 'The method'): Subject {
  const model = checkpoint.model as tf.GraphModel;
  const input = graphInput(model, what);
  const logits = needsKind(objective) && !checkpoint.head?.index ? logitsNode(model, checkpoint.topology) : null;
  const output = logits ?? checkpoint.head?.name ?? model.outputs[0].name;
  // A copy: at the input node, execute returns x itself, which the caller owns.
  const at = runGraph(() => tf.tidy(() => tf.clone(model.execute(x, node) as tf.Tensor)), what);
  const run = (values: tf.Tensor) => {
    const xs = repeated(x, values.shape[0]);
    return runGraph(() => {
      const out = model.execute({ [input]: xs, [nodeOf(node)]: values }, output) as tf.Tensor;
      return logits ? out : readHead(checkpoint, out);
    }, what);
  };
  return replacedSubject(at, run, objective, { logits: logits !== null, elements: exampleElements(model, x.size / x.shape[0]), where: `node '${node}''s output` });
}

/**
 * The subject whose point `at` (owned by it) replaces an inner tensor of the model: `run(values)`
 * runs the model with the values in its place. `logits`: run already gives logits.
 */
function replacedSubject(at: tf.Tensor, run: (values: tf.Tensor) => tf.Tensor, objective: Objective, how: { logits?: boolean; elements: number; where: string }): Subject {
  let kind: OutputKind | undefined;
  try {
    kind = how.logits ? 'logits' : needsKind(objective) ? kindOn(() => run(at)) : undefined;
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
    elements: how.elements,
    where: how.where,
    dispose: () => at.dispose(),
  };
}

/** The subject at a site (sites.ts): the input, a layer's output or a graph node's output, for the examples of x [b, ...]. */
export function siteSubject(checkpoint: Checkpoint, site: Site, x: tf.Tensor, objective: Objective, what = 'The method'): Subject {
  if (site.kind === 'layer') return layerSubject(checkpoint, site.layer, x, objective, what);
  // A graph's input is a node like any other (and the graph's logits are reached the same way).
  if (site.kind === 'input' && checkpoint.model instanceof tf.LayersModel) return inputSubject(checkpoint, x, objective);
  return graphNodeSubject(checkpoint, site.name, x, objective, what);
}

/** The first Embedding layer of the model, looking inside nested models too; null if none. */
export function embeddingLayer(model: tf.LayersModel): tf.layers.Layer | null {
  return flatLayers(model).find((l) => l.getClassName() === 'Embedding') ?? null;
}

/** The subject of the `target` option: the class in output space, at the input. */
export function targetSubject(checkpoint: Checkpoint, x: tf.Tensor, target: number): Subject {
  return inputSubject(checkpoint, x, classObjective(target));
}

/** The graph model's Cast of its integer input to floats, where it has one (attribution happens there). */
export function inputCastNode(checkpoint: Checkpoint): string | null {
  if (!(checkpoint.model instanceof tf.GraphModel)) return null;
  const input = checkpoint.model.inputs[0].name.replace(/:\d+$/, '');
  const nodes = (checkpoint.topology.node ?? []) as { name: string; op: string; input?: string[]; attr?: { DstT?: { type?: string } } }[];
  const cast = nodes.find((n) => n.op === 'Cast' && n.input?.[0]?.replace(/:\d+$/, '') === input && n.attr?.DstT?.type === 'DT_FLOAT');
  return cast?.name ?? null;
}
