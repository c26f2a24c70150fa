/**
 * Grad-CAM (Selvaraju et al. 2017; Captum's LayerGradCam): for the activation A [b, h, w, c] of a
 * convolutional layer and the objective y (by default the target class's output),
 *   α_c = mean over h, w of ∂y/∂A_c,   cam = Σ_c α_c · A_c,
 * then ReLU (unless options.relu === false) and bilinear upsampling to the input's height and width
 * (unless options.upsample === false, which leaves values of shape [b, h, w]). Upsampled values have
 * the input's shape, the map repeated over its channels.
 *
 * Layers models: A and ∂y/∂A come from one forward pass. While the model runs, the target layer's
 * `call` is wrapped (layerTap.ts) so that it returns A + δ with δ = 0 and records A; the gradient of y with respect
 * to δ is ∂y/∂A. The wrapper sits on the layer object, so it works wherever the layer runs: in a
 * Sequential, a functional graph with branches, or a model nested as a layer inside another model.
 *
 * Graph models: A = model.execute(x, node); then the graph is executed again from A (fed at that
 * node, with x fed too for any branch that bypasses it) and differentiated with respect to A.
 *
 * Target layer by default: the last layer (in execution order, looking inside nested models) whose
 * output is [b, h, w, c] with h, w > 1, skipping pooling, dropout and noise layers: downsampling only
 * loses resolution and the others are identities at inference. On a conv → pool → flatten model
 * that is the last conv layer; on conv → BatchNorm → ReLU stacks, the ReLU after the last conv.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyOptions } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { headOutput, readHead, type HeadView } from '../checkpoint/forward';
import { LensError } from '../errors';
import type { Attribution, AttributionInputs, AttributionMethod } from './method';
import { outputShapeOf, withTap } from '../model/layerTap';
import { isSpatial, spatialLayer } from '../model/spatialLayer';
import type { Objective } from '../../protocol/objective';
import { classObjective, objectiveFunction, objectiveOfOutput } from '../model/objective';
import { outputKind, type OutputKind } from '../model/probabilities';
import { activationNodes, graphInput, graphNodes, nodeOf, runGraph } from '../model/graph';

export { flatLayers } from '../model/layerTap';

export const gradCam: AttributionMethod = {
  id: 'grad-cam',
  usesBaseline: false,
  run,
};

async function run(inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  ctx.signal.throwIfAborted();
  const { x } = inputs;
  const upsample = options.upsample !== false;
  if (upsample && x.rank !== 4 && x.rank !== 3) {
    throw new LensError('INVALID_INPUT', `Grad-CAM can upsample only to image inputs ([1, height, width, channels]), not [${x.shape}]; turn upsampling off.`);
  }
  const { channels, layer } = camChannels(inputs.checkpoint, x, inputs.objective ?? inputs.target, options.layer);
  const mapSize: [number, number] = [channels.shape[1], channels.shape[2]];
  let values: tf.Tensor;
  try {
    values = tf.tidy(() => {
      let cam: tf.Tensor = tf.sum(channels, -1); // [b, h, w]
      if (options.relu !== false) cam = tf.relu(cam);
      if (!upsample) return cam;
      const [height, width] = [x.shape[1] as number, x.shape[2] as number];
      const resized = tf.image.resizeBilinear(tf.expandDims(cam, -1) as tf.Tensor4D, [height, width], false, true);
      return x.rank === 3 ? tf.squeeze(resized, [3]) : tf.tile(resized, [1, 1, 1, x.shape[3] as number]);
    });
  } finally {
    channels.dispose();
  }
  ctx.onProgress(1, 1);
  return { values, layer, mapSize };
}

/**
 * The per-channel terms α_c · A_c of Grad-CAM at `layerName` (default: inferred), [b, h, w, c]:
 * summing over the last axis gives the signed map. The caller owns `channels`.
 */
export function camChannels(
  checkpoint: Pick<Checkpoint, 'model' | 'format' | 'topology' | 'head'>,
  x: tf.Tensor,
  target: number | Objective,
  layerName?: string,
): { channels: tf.Tensor4D; layer: string } {
  const objective = typeof target === 'number' ? classObjective(target) : target;
  const { activation, gradient, layer } = isGraphModel(checkpoint.model)
    ? graphActivationAndGradient(checkpoint, checkpoint.model, checkpoint.topology, x, objective, layerName)
    : layersActivationAndGradient({ model: checkpoint.model, head: checkpoint.head }, x, objective, layerName);
  try {
    const channels = tf.tidy(() => tf.mul(activation, tf.mean(gradient, [1, 2], true)) as tf.Tensor4D);
    return { channels, layer };
  } finally {
    tf.dispose([activation, gradient]);
  }
}

interface ActivationAndGradient {
  /** A, [b, h, w, c]; owned by the caller. */
  activation: tf.Tensor4D;
  /** ∂(Σ_batch y)/∂A, A's shape; owned by the caller. */
  gradient: tf.Tensor4D;
  layer: string;
}

// ---------------------------------------------------------------------------------------------
// Layers models

/** The Grad-CAM layer: `name` if given (searched in nested models too), else inferred. */
export function gradCamLayer(model: tf.LayersModel, name?: string): tf.layers.Layer {
  return spatialLayer(model, name, 'Grad-CAM', { skipPooling: true });
}

function layersActivationAndGradient(runnable: { model: tf.LayersModel; head?: HeadView }, x: tf.Tensor, objective: Objective, layerName?: string): ActivationAndGradient {
  const { model } = runnable;
  const layer = gradCamLayer(model, layerName);
  const declared = outputShapeOf(layer) as (number | null)[];
  const shape = declared.slice(1).every((d) => d !== null)
    ? [x.shape[0], ...(declared.slice(1) as number[])]
    : probeShape(model, layer, x);
  let activation: tf.Tensor | null = null;
  // The objective's output kind is decided on x itself, before the tap goes in.
  const score = objectiveFunction(runnable, objective, kindOf(objective, () => headOutput(runnable, model.predict(x))));
  try {
    const gradient = tf.tidy(() =>
      tf.grad((delta: tf.Tensor) =>
        withTap(
          layer,
          (out) => {
            activation = tf.keep(out);
            return tf.add(out, delta);
          },
          () => score(x).sum(),
          'Grad-CAM',
        ),
      )(tf.zeros(shape)),
    );
    const captured = activation as tf.Tensor | null;
    if (!captured || captured.rank !== 4) {
      gradient.dispose();
      throw new LensError('INVALID_INPUT', `Grad-CAM's layer '${layer.name}' gave no 4-D activation for this input.`);
    }
    return { activation: captured as tf.Tensor4D, gradient: gradient as tf.Tensor4D, layer: layer.name };
  } catch (err) {
    (activation as tf.Tensor | null)?.dispose();
    if (err instanceof LensError) throw err;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    if (/connection between|not run|Cannot find/i.test(message)) {
      throw new LensError('INVALID_INPUT', `Grad-CAM's layer '${layer.name}' does not feed the model's first output.`);
    }
    throw err;
  }
}

/** Runs the model once to learn the layer's output shape, for layers declared with free dimensions. */
function probeShape(model: tf.LayersModel, layer: tf.layers.Layer, x: tf.Tensor): number[] {
  let shape: number[] | null = null;
  tf.tidy(() => {
    withTap(layer, (out) => ((shape = out.shape), out), () => model.predict(x), 'Grad-CAM');
  });
  if (!shape) throw new LensError('INVALID_INPUT', `Grad-CAM's layer '${layer.name}' does not run for this model's output.`);
  return shape;
}

// ---------------------------------------------------------------------------------------------
// Graph models

/** Downsampling only loses resolution (as SKIPPED_CLASSES for layers). */
const GRAPH_POOLING_OPS = new Set(['MaxPool', 'MaxPoolV2', 'AvgPool', 'MaxPoolWithArgmax']);

function isGraphModel(model: tf.LayersModel | tf.GraphModel): model is tf.GraphModel {
  return !(model instanceof tf.LayersModel);
}

function graphActivationAndGradient(
  head: Pick<Checkpoint, 'head'>,
  model: tf.GraphModel,
  topology: Record<string, unknown>,
  x: tf.Tensor,
  objective: Objective,
  nodeName?: string,
): ActivationAndGradient {
  const inputName = graphInput(model, 'Grad-CAM');
  const outputName = head.head?.name ?? model.outputs[0].name;
  const node = nodeName ?? inferGraphNode(model, topology, x, outputName);
  if (!graphNodes(topology).has(nodeOf(node))) {
    throw new LensError('INVALID_INPUT', `The graph model has no node named '${node}'.`);
  }
  const activation = runGraph(() => tf.tidy(() => model.execute(x, node) as tf.Tensor), 'Grad-CAM');
  if (activation.rank !== 4) {
    const shape = activation.shape;
    activation.dispose();
    throw new LensError('INVALID_INPUT', `Grad-CAM needs a node with a 4-D [batch, height, width, channels] output; '${node}' outputs [${shape}].`);
  }
  const kind = kindOf(objective, () => readHead(head, model.execute(x, outputName) as tf.Tensor));
  try {
    const gradient = runGraph(() =>
      tf.tidy(() =>
        tf.grad((a: tf.Tensor) => {
          const out = readHead(head, model.execute({ [inputName]: x, [node]: a }, outputName) as tf.Tensor);
          return tf.sum(objectiveOfOutput(out, objective, kind ?? 'probabilities'));
        })(activation),
      ),
      'Grad-CAM',
    );
    return { activation: activation as tf.Tensor4D, gradient: gradient as tf.Tensor4D, layer: node };
  } catch (err) {
    activation.dispose();
    throw err;
  }
}

/** The last node between input and output with a [b, h, w, c] output, h, w > 1 (pooling skipped). */
function inferGraphNode(model: tf.GraphModel, topology: Record<string, unknown>, x: tf.Tensor, output: string): string {
  const candidates = activationNodes(model, topology, 'Grad-CAM', output).filter((n) => !GRAPH_POOLING_OPS.has(n.op));
  // Probe from the end, a chunk of nodes per execution.
  const CHUNK = 16;
  for (let end = candidates.length; end > 0; end -= CHUNK) {
    const chunk = candidates.slice(Math.max(0, end - CHUNK), end).map((n) => n.name);
    const shapes = runGraph(() =>
      tf.tidy(() => {
        const out = model.execute(x, chunk);
        return (Array.isArray(out) ? out : [out]).map((t) => t.shape);
      }),
      'Grad-CAM',
    );
    for (let i = chunk.length - 1; i >= 0; i--) {
      if (isSpatial(shapes[i])) return chunk[i];
    }
  }
  throw new LensError('INVALID_INPUT', 'Grad-CAM needs a node with a 4-D [batch, height, width, channels] output, and this graph model has none (it is not convolutional).');
}

/** The output's kind on the unperturbed input, where the objective reads it (not for a class in output space). */
function kindOf(objective: Objective, run: () => tf.Tensor): OutputKind | undefined {
  if (objective.kind === 'class' && objective.space === 'output') return undefined;
  return tf.tidy(() => {
    const out = run();
    return outputKind(out.reshape([out.shape[0], -1]) as tf.Tensor2D);
  });
}
