/**
 * The engine's `saliency` request: load the input, predict, pick the target, build the baseline,
 * attribute with the chosen method, and optionally measure how faithful and steady the map is.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext, Params } from '../../protocol/engine';
import type { BaselineInfo, FaithfulnessMetrics, SaliencyMethod, SaliencyResult } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { outputKind as kindOf, toProbabilities, rank, type OutputKind } from '../model/probabilities';
import { headRef, labelOf, readingOf, selectHead } from '../model/head';
import { asyncOnly } from '../checkpoint/forward';
import { requireSidecar } from '../checkpoint/sidecar';
import { atFirstFloat, needsInputGradient } from './integerInputs';
import { completenessWarning } from './completeness';
import { LensError } from '../errors';
import type { HandlerContext } from '../handler';
import { base } from '../data/common';
import { unstandardise } from '../data/csv';
import { pngDataUri } from '../data/encode';
import { planImage, previewOfValues } from '../data/image';
import { PAD_ID } from '../data/text';
import { resizeBilinear } from '../data/resize';
import { deletionInsertion, featureLayout, featureScores } from '../metrics/faithfulness';
import { defaultRadius, defaultSensitivitySamples, maxSensitivity } from '../metrics/sensitivity';
import { exampleElements } from '../model/batching';
import { blurInput, DEFAULT_BLUR_SIGMA, makeBaseline, type InputInfo } from './baselines';
import { tokenAttributionMethod } from './tokenAttribution';
import { occlusionGrid } from './occlusion';
import { attributionMethod } from './registry';
import { classObjective } from '../model/objective';
import { positionMap, summarize } from './summary';
import { progressAs } from '../common/context';

const TOP_CLASSES = 5;

export async function explain(engine: HandlerContext, params: Params<'saliency'>, ctx: RunContext): Promise<SaliencyResult> {
  const { inputPath } = params;
  const { inputs, helper, backend } = engine;
  const loaded = await engine.checkpoint(params.modelPath);
  if (loaded.inputs.length !== 1) {
    throw new LensError('INVALID_INPUT', `The model has ${loaded.inputs.length} inputs; Model Lens explains models with one input only.`);
  }
  requireSidecar(loaded.sidecar);
  const { checkpoint, head } = selectHead(loaded, params.output);
  if (checkpoint.async && params.method !== 'occlusion') throw asyncOnly(checkpoint.async);
  // A model with a fixed batch (MoveNet's is 1) takes that many points at a time.
  const fixedBatch = checkpoint.inputs[0].shape[0];
  if (typeof fixedBatch === 'number' && params.internalBatch === undefined) params = { ...params, internalBatch: fixedBatch };
  let method = attributionMethod(params.method);
  const { sidecar } = checkpoint.sidecar;
  // The input and the model's output on it belong to the cache, shared with other requests.
  return inputs.use(checkpoint, inputPath, async ({ input, output }) => {
    const owned: tf.Tensor[] = [];
    try {
      // Text: token ids have no gradient; attribute at the embedding's output, one value per token.
      if (input.kind === 'text') {
        method = tokenAttributionMethod(params.method);
        if (params.baseline && params.baseline.kind !== 'zeros') {
          throw new LensError('BAD_REQUEST', `Text inputs take the all-zero embedding as their baseline; the '${params.baseline.kind}' baseline is for images and tensors.`);
        }
        if (params.metrics) {
          throw new LensError('BAD_REQUEST', 'Faithfulness metrics are not available for text inputs yet: run without metrics.');
        }
      } else if (input.tensor.dtype === 'int32' && needsInputGradient(method.id)) {
        method = atFirstFloat(method, checkpoint);
      }
      const x = input.tensor;
      if (x.shape[0] !== 1) {
        throw new LensError('INVALID_INPUT', `${base(inputPath)} holds ${x.shape[0]} examples; saliency explains one at a time: give a file with one row or image.`);
      }
      const info: InputInfo = { kind: input.kind, height: input.preview?.height, width: input.preview?.width, path: inputPath };
      const started = performance.now();
      const kind = readingOf(head, () => kindOf(output));
      // A regression head's values as they are (toProbabilities leaves 'probabilities' untouched).
      const probabilities = Array.from(tf.tidy(() => toProbabilities(output, kind).dataSync()));
      const regression = head.kind === 'regression';
      const objective = params.objective ?? classObjective(chooseTarget(params.target, probabilities));
      // The class the result names: the objective's own, else the predicted one (continuations).
      const target = objective.kind === 'class' ? chooseTarget(objective.index, probabilities) : objective.kind === 'margin' ? chooseTarget(objective.target, probabilities) : chooseTarget(undefined, probabilities);

      const baseline = method.usesBaseline ? await makeBaseline(x, params.baseline, { checkpoint, input: info, seed: params.seed }) : undefined;
      if (baseline) owned.push(baseline);
      const attribute = (at: tf.Tensor, runCtx: RunContext, steps?: number) =>
        method.run({ checkpoint, x: at, target, objective, baseline, helper }, steps === undefined ? params : { ...params, steps }, runCtx).catch(missingGradient);

      const attribution = await attribute(x, progressAs(ctx, method.id));
      owned.push(attribution.values);
      const values = await attribution.values.data();
      const shape = attribution.values.shape.slice(1);

      // A map that is zero everywhere ranks no feature above another: its curves would measure a random order.
      const zeroMap = params.metrics && values.every((v) => v === 0) ? zeroMapReason(method.id, attribution.layer, params, sidecar.labels?.[target] ?? String(target)) : undefined;
      const metrics = params.metrics && !zeroMap
        ? await measure({ checkpoint, x, target, kind, info, params, attribute }, { tensor: attribution.values, values, shape }, ctx)
        : undefined;
      const warnings = await completenessWarning(attribution, params, (steps) => attribute(x, { signal: ctx.signal, onProgress: () => {} }, steps));
      const path = attribution.fx !== undefined ? { fx: attribution.fx, fBaseline: attribution.fBaseline!, baseline: baselineInfo(params, baseline, info, checkpoint) } : {};
      const ms = performance.now() - started;
      return {
        method: method.id,
        output: headRef(head),
        target,
        targetLabel: labelOf(head, target),
        prediction: regression ? [] : rank(probabilities, head.labels, TOP_CLASSES),
        ...(regression ? { targetValue: probabilities[target] } : { targetProbability: probabilities[target] }),
        attribution: { shape, data: Array.from(values) },
        ...(attribution.completenessDelta !== undefined ? { completenessDelta: attribution.completenessDelta } : {}),
        ...(warnings.length > 0 ? { warnings } : {}),
        ...path,
        ...(attribution.layer !== undefined ? { layer: attribution.layer } : {}),
        ...(attribution.mapSize ? { mapSize: attribution.mapSize } : {}),
        ...(metrics ? { metrics } : {}),
        ...(zeroMap ? { metricsSkipped: zeroMap } : {}),
        summary: summarize(values, shape, method.id, { ...info, features: sidecar.input?.features, tokens: input.tokens }),
        options: resolvedOptions(params, checkpoint, x.shape, target, attribution.layer),
        input: {
          path: inputPath,
          kind: input.kind,
          description: input.description,
          ...(input.preview ? { preview: pngDataUri(input.preview) } : {}),
          ...(input.tokens ? { tokens: input.tokens, padding: trailingPadding(x) } : {}),
          ...(input.kind === 'tabular' && input.features ? { features: input.features, values: unstandardise(x.dataSync(), input.features.length, sidecar.input) } : {}),
        },
        backend,
        ms,
      };
    } finally {
      tf.dispose(owned);
    }
  });
}

/** The request's options as computed with: defaults (applied at the boundary) and the values chosen here. */
function resolvedOptions(params: Params<'saliency'>, checkpoint: Checkpoint, xShape: number[], target: number, layer: string | undefined): SaliencyResult['options'] {
  const grid = params.method === 'occlusion' ? occlusionGrid(xShape, params) : undefined;
  return {
    ...params,
    target,
    ...(layer !== undefined ? { layer } : {}),
    ...(grid ? { window: grid.window, stride: grid.stride } : {}),
    ...(params.metrics ? { sensitivitySamples: sensitivitySamples(params, checkpoint, xShape) } : {}),
  };
}

/** Max-sensitivity's samples: as asked, else as many re-runs of the method as its cost on this model allows. */
function sensitivitySamples(params: Params<'saliency'>, checkpoint: Checkpoint, xShape: number[]): number {
  if (params.sensitivitySamples !== undefined) return params.sensitivitySamples;
  const size = xShape.slice(1).reduce((a, b) => a * b, 1);
  return defaultSensitivitySamples(forwardPassesPerRun(params, xShape), exampleElements(checkpoint.model, size));
}

/** A run's cost in forward-pass equivalents: a gradient ≈ 3 (forward and backward), occlusion one per window. */
function forwardPassesPerRun(params: Params<'saliency'>, xShape: number[]): number {
  switch (params.method) {
    case 'integrated-gradients':
      return 3 * params.steps!;
    case 'smoothgrad':
      return 3 * params.samples!;
    case 'occlusion':
      return occlusionGrid(xShape, params).total;
    default:
      return 3;
  }
}

function chooseTarget(requested: number | undefined, probabilities: number[]): number {
  if (requested === undefined) return probabilities.indexOf(Math.max(...probabilities));
  if (!Number.isInteger(requested) || requested < 0 || requested >= probabilities.length) {
    const n = probabilities.length;
    throw new LensError('BAD_REQUEST', `target ${requested} is out of range: the model has ${n} output${n === 1 ? '' : 's'} (0–${n - 1}).`);
  }
  return requested;
}

/** What metrics need to perturb x and attribute again. */
interface Subject {
  checkpoint: Checkpoint;
  x: tf.Tensor;
  target: number;
  kind: OutputKind;
  info: InputInfo;
  params: Params<'saliency'>;
  attribute: (at: tf.Tensor, ctx: RunContext) => Promise<{ values: tf.Tensor }>;
}

/** Deletion/insertion curves and max-sensitivity for an attribution of x. */
async function measure(
  { checkpoint, x, target, kind, info, params, attribute }: Subject,
  attribution: { tensor: tf.Tensor; values: ArrayLike<number>; shape: number[] },
  ctx: RunContext,
): Promise<FaithfulnessMetrics> {
  const { values, shape } = attribution;
  const image = info.kind === 'image' && info.height && info.width ? { height: info.height, width: info.width } : undefined;
  const layout = featureLayout(x.shape, image);
  const scores = image ? imageScores(values, shape, image) : featureScores(values, layout);
  // Insertion starts from a blurred image (RISE); tabular and tensor inputs start from zeros.
  const insertionBaseline = image ? blurInput(x, info, DEFAULT_BLUR_SIGMA) : undefined;
  try {
    const curves = await deletionInsertion(
      checkpoint,
      x,
      target,
      scores,
      layout,
      { seed: params.seed, internalBatch: params.internalBatch, memoryBudgetMB: params.memoryBudgetMB, insertionBaseline, outputKind: kind },
      ctx,
    );
    const samples = sensitivitySamples(params, checkpoint, x.shape);
    if (samples === 0) return curves;
    const radius = defaultRadius(x);
    const sensitivity = await maxSensitivity(x, attribution.tensor, async (at, runCtx) => (await attribute(at, runCtx)).values, { samples, seed: params.seed, radius }, ctx);
    return { ...curves, ...(Number.isFinite(sensitivity) ? { maxSensitivity: sensitivity, sensitivityRadius: radius } : {}) };
  } finally {
    insertionBaseline?.dispose();
  }
}

/** Why an all-zero map gets no metrics, in words. */
function zeroMapReason(method: SaliencyMethod, layer: string | undefined, params: Params<'saliency'>, label: string): string {
  if (method === 'grad-cam' && params.relu !== false) {
    return `Grad-CAM's map at ${layer} is zero everywhere: the weighted activations Σ α·A are ≤ 0 at every position, so the layer holds no positive gradient evidence for ${label}. Try an earlier layer, or turn ReLU off to see the negative evidence.`;
  }
  return `The attribution is zero everywhere (no gradient reaches the input for ${label}), so it ranks no feature above another: deletion and insertion would measure an arbitrary order.`;
}

/** Integrated Gradients' baseline as the result shows it: its kind, and what it looks like (images) or holds (tabular). */
function baselineInfo(params: Params<'saliency'>, baseline: tf.Tensor | undefined, info: InputInfo, checkpoint: Checkpoint): BaselineInfo {
  const out: BaselineInfo = { kind: params.baseline?.kind ?? 'zeros' };
  if (!baseline) return out; // text: the all-zero embedding
  const { sidecar } = checkpoint.sidecar;
  if (info.kind === 'image' && info.height && info.width) {
    out.preview = pngDataUri(previewOfValues(baseline.dataSync(), info.height, info.width, planImage(checkpoint.inputs[0].shape, sidecar).options));
  } else if (info.kind === 'tabular') {
    out.values = unstandardise(baseline.dataSync(), baseline.size, sidecar.input);
  }
  return out;
}

/** Token ids [1, L]: how many of the last positions are padding. */
function trailingPadding(x: tf.Tensor): number {
  const ids = x.dataSync();
  let n = 0;
  while (n < ids.length && ids[ids.length - 1 - n] === PAD_ID) n++;
  return n;
}

/** One score per pixel position at the input's resolution (Grad-CAM maps are resized up to it). */
function imageScores(values: ArrayLike<number>, shape: number[], image: { height: number; width: number }): Float32Array {
  const map = positionMap(values, shape, { kind: 'image', ...image }, 'abs');
  if (!map) throw new LensError('INTERNAL', `Attribution of shape [${shape}] does not map onto the ${image.height}×${image.width} input.`);
  return resizeBilinear(map.values, map.height, map.width, 1, image.height, image.width);
}

/** tfjs's "gradient function not found for GatherNd" (MoveNet's keypoint decoding) as what it means for the user. */
function missingGradient(err: unknown): never {
  const op = /gradient function not found for (\w+)/.exec(err instanceof Error ? err.message : '')?.[1];
  if (op) throw new LensError('BAD_REQUEST', `The model's output is computed through ${op}, which has no gradient in TensorFlow.js: gradient methods cannot run on this head. Use occlusion (forward passes only).`);
  throw err;
}

