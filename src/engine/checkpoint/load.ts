/** Loads a checkpoint (layers or graph model) from model.json + shards into one uniform handle. */
import * as tf from '@tensorflow/tfjs';
import type { ModelFormat, OutputSpec, SidecarInfo, TensorSpec } from '../../protocol/model';
import * as path from 'path';
import { fileStamp } from '../common/fileStamp';
import { LensError } from '../errors';
import { readModelJson, type ModelJson } from './modelJson';
import { nonFiniteWeights, readWeights, type Weights } from './weights';
import { labelWarnings, readSidecar } from './sidecar';
import { InferenceModel } from './inference/inferenceModel';
import type { HeadView } from './forward';
import { finalActivations, headSettings, outputKinds } from './outputKinds';
import { recordActivations } from './activations';
import { TRANSFORMER_LAYERS } from './layers/transformer';

export interface Checkpoint {
  path: string;
  format: ModelFormat;
  model: tf.LayersModel | tf.GraphModel;
  /** The layers model compiled for inference, which forward() runs instead of model.predict when present. */
  inference?: InferenceModel;
  inputs: TensorSpec[];
  /** Every output head, with its probed shape and kind. */
  outputs: OutputSpec[];
  /** Set for graph models that run only through executeAsync (dynamic ops): why. */
  async?: string;
  /** The output head requests read (model/head.ts selectHead); absent: the first, as it is. */
  head?: HeadView;
  /** model.json's topology, for describing graph models op by op. */
  topology: Record<string, unknown>;
  weightSpecs: tf.io.WeightsManifestEntry[];
  weightBytes: number;
  sidecar: SidecarInfo;
  warnings: string[];
  /** Identifies the files' version, so a changed checkpoint is loaded again. */
  stamp: string;
}

export async function loadCheckpoint(file: string): Promise<Checkpoint> {
  const stamp = stampOrNotFound(file);
  const { json, format } = readModelJson(file);
  const weights = readWeights(json, file);
  const warnings: string[] = [];
  const bad = nonFiniteWeights(weights);
  if (bad.length > 0) {
    warnings.push(`NaN or Inf values in ${bad.length} weight(s): ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ', …' : ''}. Outputs and gradients will be unreliable.`);
  }
  const model = await build(json, format, weights);
  const specs = format === 'layers-model' ? specsOfLayers(model as tf.LayersModel) : specsOfGraph(model as tf.GraphModel);
  const sidecar = readSidecar(file, specs);
  warnings.push(...sidecar.warnings);
  const checkpoint: Checkpoint = {
    path: file,
    format,
    model,
    inputs: specs.inputs,
    outputs: [],
    topology: json.modelTopology,
    weightSpecs: weights.specs,
    weightBytes: weights.data.byteLength,
    sidecar: sidecar.info,
    warnings,
    stamp,
  };
  const probe = await smokeTest(checkpoint, specs.outputs);
  const outputs = specs.outputs.map((spec, i) => ({ ...spec, ...probe.outputs[i] }));
  checkpoint.outputs = outputKinds(outputs, finalActivations(model, json.modelTopology), sidecar.info.sidecar, probe.distribution);
  const name = `${path.basename(file, '.json')}.lens.json`;
  warnings.push(...labelWarnings(checkpoint.outputs, (i) => headSettings(sidecar.info.sidecar, i, checkpoint.outputs[i].name).labels, name));
  if (format === 'layers-model') compileForInference(checkpoint);
  return checkpoint;
}

/** Frees the model's weights and the compiled form's folded ones. */
export function disposeCheckpoint(checkpoint: Pick<Checkpoint, 'model' | 'inference'>): void {
  checkpoint.inference?.dispose();
  checkpoint.model.dispose();
}

/**
 * Compiles a single-input layers model for inference; models it does not describe run through
 * model.predict. A compiled form that disagrees with predict on a random probe is a bug of ours:
 * it is dropped and named in the warnings.
 */
function compileForInference(checkpoint: Checkpoint): void {
  if (checkpoint.inputs.length !== 1) return;
  const spec = checkpoint.inputs[0];
  const shape = spec.shape.map((d, i) => d ?? (i === 0 ? 2 : 32));
  const probe = spec.dtype === 'int32' ? tf.randomUniform(shape, 0, 2, 'int32', 7) : tf.randomUniform(shape, 0, 1, 'float32', 7);
  try {
    const compiled = InferenceModel.compile(checkpoint.model as tf.LayersModel, probe);
    if (typeof compiled !== 'string') checkpoint.inference = compiled;
    else if (compiled.startsWith('its folded form')) checkpoint.warnings.push(`Runs without batch-norm folding: ${compiled}.`);
  } finally {
    probe.dispose();
  }
}

async function build(json: ModelJson, format: ModelFormat, weights: Weights): Promise<tf.LayersModel | tf.GraphModel> {
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology,
    format: json.format,
    generatedBy: json.generatedBy,
    convertedBy: json.convertedBy,
    trainingConfig: json.trainingConfig,
    signature: json.signature,
    userDefinedMetadata: json.userDefinedMetadata as Record<string, object> | undefined,
    modelInitializer: json.modelInitializer,
    weightSpecs: weights.specs,
    weightData: weights.data,
  };
  try {
    const handler = tf.io.fromMemory(artifacts);
    return format === 'layers-model' ? await tf.loadLayersModel(handler) : await tf.loadGraphModel(handler);
  } catch (err) {
    throw explainLoadError(err);
  }
}

/** tfjs's load errors, reworded into what went wrong and what to do. */
function explainLoadError(err: unknown): LensError {
  if (err instanceof LensError) return err;
  const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
  const unknownLayer = /Unknown (?:layer|initializer|regularizer|constraint|activation)[^:]*: (\S+)/.exec(message);
  if (unknownLayer) {
    return new LensError('UNSUPPORTED_OP', `Unsupported layer class '${unknownLayer[1].replace(/\.$/, '')}': TensorFlow.js has no built-in for it (custom layers are not supported besides ${TRANSFORMER_LAYERS.join(' and ')}).`);
  }
  if (/shape|weights are not set|expected \d+ weights?|provided weight data/i.test(message)) {
    return new LensError('WEIGHTS_MISMATCH', `Weights do not match the topology: ${message}`);
  }
  return new LensError('INVALID_MODEL', `TensorFlow.js could not build the model: ${message}`);
}

/**
 * Layers models' inputs and outputs, named by their layers: the symbolic tensors' own names carry
 * tfjs's process-wide uniquifier (probs/probs_1, then probs/probs_2 when the same model loads again).
 */
function specsOfLayers(model: tf.LayersModel): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const named = (tensors: tf.SymbolicTensor[]): TensorSpec[] => {
    const layers = tensors.map((t) => t.sourceLayer.name);
    return tensors.map((t, i) => ({
      // `layer:k` where one layer gives several of the tensors (its k-th output).
      name: layers.filter((n) => n === layers[i]).length === 1 ? layers[i] : `${layers[i]}:${t.outputTensorIndex ?? 0}`,
      shape: [...t.shape],
      dtype: t.dtype,
    }));
  };
  return { inputs: named(model.inputs), outputs: named(model.outputs) };
}

function specsOfGraph(model: tf.GraphModel): { inputs: TensorSpec[]; outputs: TensorSpec[] } {
  const spec = (t: tf.ModelTensorInfo): TensorSpec => ({
    name: t.name,
    shape: (t.shape ?? []).map((d) => (d < 0 ? null : d)),
    dtype: t.dtype,
  });
  return { inputs: model.inputs.map(spec), outputs: model.outputs.map(spec) };
}

/** What running zeros through the model at load tells: each output's true shape and dtype, and whether its rows are distributions. */
interface Probe {
  outputs: Pick<TensorSpec, 'shape' | 'dtype'>[];
  distribution: boolean[];
}

/**
 * Runs zeros through the model so unsupported ops and inconsistent shapes surface at load, not
 * mid-analysis, and so every output's true shape is known (graph models often do not declare
 * them). Graph models that need executeAsync (dynamic ops) are run that way and marked async; a
 * graph model's activations per example are recorded for batch sizing (model/batching.ts).
 */
async function smokeTest(checkpoint: Checkpoint, declared: TensorSpec[]): Promise<Probe> {
  const model = checkpoint.model;
  const feeds = checkpoint.inputs.map((spec) => tf.zeros(spec.shape.map((d, i) => d ?? (i === 0 ? 1 : 32)), spec.dtype as tf.DataType));
  const feed = feeds.length === 1 ? feeds[0] : feeds;
  const names = declared.map((o) => o.name);
  let outputs: tf.Tensor[] = [];
  try {
    if (model instanceof tf.GraphModel) {
      let profile: Awaited<ReturnType<typeof tf.profile>>;
      try {
        profile = await tf.profile(() => asList(model.execute(feed, names)));
      } catch (err) {
        if (!/executeAsync/.test(String((err as Error)?.message))) throw err;
        const ops = (/dynamic op '(\w+)'/.exec((err as Error).message) ?? [])[1];
        checkpoint.async = `its graph has dynamic ops${ops ? ` such as ${ops}` : ''}`;
        profile = await tf.profile(async () => asList(await model.executeAsync(feed, names)));
      }
      outputs = profile.result as tf.Tensor[];
      recordActivations(model, profile.kernels.reduce((n, k) => n + k.outputShapes.reduce((m, shape) => m + (shape ?? []).reduce((a, b) => a * b, 1), 0), 0));
    } else {
      outputs = tf.tidy(() => asList(model.predict(feed)).map((t) => t.clone()));
    }
    outputs.forEach((t) => t.dataSync()); // kernels run lazily on some backends: force them to fail here
    const freeBatch = checkpoint.inputs[0]?.shape[0] === null;
    return {
      outputs: outputs.map((out) => ({ shape: out.shape.map((d, i) => (i === 0 && freeBatch ? null : d)), dtype: out.dtype })),
      distribution: outputs.map((out) => out.rank >= 1 && out.size > 0 && tf.tidy(() => isDistribution(out.reshape([out.shape[0] || 1, -1]) as tf.Tensor2D))),
    };
  } catch (err) {
    checkpoint.model.dispose();
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    const op = /Op is not supported: (\S+)|(\S+) is not (?:yet )?supported|Unknown op '?([^'\s]+)/i.exec(message);
    if (op) {
      throw new LensError('UNSUPPORTED_OP', `Unsupported op '${op[1] ?? op[2] ?? op[3]}': TensorFlow.js has no kernel for it; re-export the model without it or register it with tf.registerOp.`);
    }
    throw new LensError('INVALID_MODEL', `The model fails on a zero input: ${message}`);
  } finally {
    tf.dispose([...feeds, ...outputs]);
  }
}

/** Non-negative rows summing to 1 (the test model/probabilities.ts applies to a request's output). */
function isDistribution(rows: tf.Tensor2D): boolean {
  return rows.min().dataSync()[0] >= 0 && tf.abs(rows.sum(1).sub(1)).max().dataSync()[0] < 1e-3;
}

function asList(out: tf.Tensor | tf.Tensor[] | tf.NamedTensorMap): tf.Tensor[] {
  if (Array.isArray(out)) return out;
  return out instanceof tf.Tensor ? [out] : Object.values(out);
}

function stampOrNotFound(file: string): string {
  try {
    return fileStamp(file);
  } catch {
    throw new LensError('FILE_NOT_FOUND', `${file} does not exist.`);
  }
}
