/**
 * Internal batching for methods that multiply the input (IG steps, SmoothGrad samples, occlusion
 * windows, deletion/insertion steps): bounded memory, progress and cancellation between batches.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { DEFAULT_MEMORY_BUDGET_MB } from '../../protocol/saliency';
import { flatLayers, outputShapeOf } from './layerTap';
import { probedActivations } from '../checkpoint/activations';


/** How a request bounds its batches: a fixed size, or else the memory they may hold. */
export interface BatchLimits {
  internalBatch?: number;
  /** MiB of float32 activations and gradient temporaries a batch may hold (default DEFAULT_MEMORY_BUDGET_MB). */
  memoryBudgetMB?: number;
}
/**
 * What one example holds during a backward pass, per float of layer output: the tape keeps every
 * output, and the gradient kernels' temporaries come on top (measured on MobileNetV2 at 224²:
 * ≈350 MB per image for 22M output floats over all its layers).
 */
const BACKWARD_FACTOR = 4;
/** A graph model not loaded by loadCheckpoint (which probes every one): a CNN's activations-with-temporaries ≈ 600× its input (MobileNetV2). */
const GRAPH_FACTOR = 600;

/**
 * Float32 elements one example of `inputElements` occupies while a gradient runs through the
 * model. It is the model's activations, not its input, that fill the heap (MobileNetV2 at 224²:
 * 150k input floats, ≈90M in flight).
 */
export function exampleElements(model: tf.LayersModel | tf.GraphModel, inputElements: number): number {
  if (!(model instanceof tf.LayersModel)) {
    // Probed at load (checkpoint/load.ts): every kernel's output for one example.
    const probed = probedActivations(model);
    return probed === undefined ? inputElements * GRAPH_FACTOR : Math.max(inputElements, probed) * BACKWARD_FACTOR;
  }
  const outputs = flatLayers(model).reduce((sum, layer) => sum + perExample(outputShapeOf(layer)), 0);
  return Math.max(inputElements, outputs) * BACKWARD_FACTOR;
}

/** Elements of one example of a layer output shape [batch, ...]; 0 when a dimension is free. */
function perExample(shape: (number | null)[] | null): number {
  if (!shape || shape.slice(1).some((d) => d === null)) return 0;
  return shape.slice(1).reduce((a: number, d) => a * (d as number), 1);
}

/** How many examples of `elementsPerExample` (see exampleElements) to evaluate at once. */
export function batchSizeFor(elementsPerExample: number, limits: BatchLimits = {}): number {
  if (limits.internalBatch !== undefined) return Math.max(1, Math.floor(limits.internalBatch));
  const budgetElements = ((limits.memoryBudgetMB ?? DEFAULT_MEMORY_BUDGET_MB) * 2 ** 20) / 4;
  return Math.max(1, Math.min(256, Math.floor(budgetElements / Math.max(1, elementsPerExample))));
}

/**
 * Calls visit(start, end) for consecutive batches covering [0, total). Between batches it yields to
 * the event loop (so cancellation messages arrive), checks for cancellation and reports progress.
 */
async function forEachBatch(total: number, batchSize: number, ctx: RunContext, visit: (start: number, end: number) => void | Promise<void>): Promise<void> {
  for (let start = 0; start < total; start += batchSize) {
    ctx.signal.throwIfAborted();
    const end = Math.min(total, start + batchSize);
    await visit(start, end);
    ctx.onProgress(end, total);
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  ctx.signal.throwIfAborted();
}

/** Sums step(start, end) over the batches (each in its own tidy). The caller owns the sum. */
export async function sumOverBatches(
  total: number,
  batchSize: number,
  ctx: RunContext,
  step: (start: number, end: number) => tf.Tensor,
): Promise<tf.Tensor> {
  let sum: tf.Tensor | null = null;
  try {
    await forEachBatch(total, batchSize, ctx, (start, end) => {
      const part = tf.tidy(() => step(start, end));
      const previous: tf.Tensor | null = sum;
      sum = previous ? tf.tidy(() => tf.add(previous, part)) : part;
      if (previous) tf.dispose([previous, part]);
    });
  } catch (err) {
    (sum as tf.Tensor | null)?.dispose();
    throw err;
  }
  if (!sum) throw new Error('sumOverBatches: nothing to sum (total is 0)');
  return sum;
}

/** Concatenates step(start, end) over the batches along axis 0. The caller owns the result. */
export async function concatOverBatches(
  total: number,
  batchSize: number,
  ctx: RunContext,
  step: (start: number, end: number) => tf.Tensor,
): Promise<tf.Tensor> {
  const parts: tf.Tensor[] = [];
  try {
    await forEachBatch(total, batchSize, ctx, (start, end) => {
      parts.push(tf.tidy(() => step(start, end)));
    });
    if (parts.length === 1) return parts.pop() as tf.Tensor;
    return tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}

/**
 * concatOverBatches for steps that await (models that run through executeAsync): each step owns
 * its temporaries and returns a tensor the batching then owns.
 */
export async function concatOverBatchesAsync(
  total: number,
  batchSize: number,
  ctx: RunContext,
  step: (start: number, end: number) => Promise<tf.Tensor>,
): Promise<tf.Tensor> {
  const parts: tf.Tensor[] = [];
  try {
    await forEachBatch(total, batchSize, ctx, async (start, end) => {
      parts.push(await step(start, end));
    });
    if (parts.length === 1) return parts.pop() as tf.Tensor;
    return tf.concat(parts, 0);
  } finally {
    tf.dispose(parts);
  }
}
