/**
 * Token attribution for text models (layers models whose input is integer token ids): gradients
 * with respect to token ids do not exist, so the gradient-based methods run on the output of the
 * model's first Embedding layer instead (Captum's LayerIntegratedGradients / configure_interpretable_
 * embedding_layer), and the attribution of each position is reduced over the embedding dimension:
 *
 *   gradient            ‖∂F/∂e_t‖₂ (L2 norm per token: a magnitude, the gradient has no sign of
 *                       its own relative to the token);
 *   gradient-x-input    Σ_d e_td · ∂F/∂e_td (sum: signed, the first-order contribution of e_t);
 *   integrated-gradients Σ_d of IG along e(α) = α E(x), α ∈ [0, 1], from the all-zero embedding
 *                       (sum: signed, and Σ over tokens = F(x) − F(zero embedding) − the quadrature
 *                       error, so completeness carries over to tokens);
 *   smoothgrad          ‖mean of ∂F/∂ẽ_t‖₂ with ẽ = E(x) + noise (L2 norm, as for the gradient);
 *                       smoothgrad-squared and vargrad are already non-negative per element and
 *                       are summed over the embedding dimension.
 *
 * The embedding output is tapped with layerTap.ts: its output is replaced by the point being
 * evaluated (interpolated or noisy embeddings), the input ids repeated to the batch of points.
 * Occlusion needs no gradient: it fills token positions with the padding id 0 (window 1 by default).
 * Grad-CAM has no convolutional feature map here and is refused.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyMethod, SaliencyOptions } from '../../protocol/saliency';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { exampleElements, sumOverBatches } from '../model/batching';
import { integrate } from './integratedGradients';
import { flatLayers, gradientAtLayerOutput, layerOutput, scoreWithLayerOutput } from '../model/layerTap';
import type { Attribution, AttributionInputs, AttributionMethod } from './method';
import { occlusion } from './occlusion';
import { smoothOver } from './smoothGrad';

const WHAT = 'Token attribution';

/** The first Embedding layer of the model, looking inside nested models too; null if none. */
export function embeddingLayer(model: tf.LayersModel): tf.layers.Layer | null {
  return flatLayers(model).find((l) => l.getClassName() === 'Embedding') ?? null;
}

/** The attribution method `id` for token-id inputs (reduced to [1, L]). */
export function tokenAttributionMethod(id: SaliencyMethod): AttributionMethod {
  if (id === 'grad-cam') {
    throw new LensError('INVALID_INPUT', 'Grad-CAM needs a convolutional layer with a 2-D feature map; text models have none. Use integrated-gradients, gradient, gradient-x-input, smoothgrad or occlusion.');
  }
  if (id === 'occlusion') {
    // Window positions are token positions; the default fill 0 is the padding id.
    return { id, usesBaseline: false, run: (inputs, options, ctx) => occlusion.run(inputs, { ...options, window: options.window ?? 1 }, ctx) };
  }
  if (!['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad'].includes(id)) {
    throw new LensError('BAD_REQUEST', `Unknown saliency method '${String(id)}'.`);
  }
  return { id, usesBaseline: false, run: (inputs, options, ctx) => run(id, inputs, options, ctx) };
}

async function run(id: SaliencyMethod, inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  ctx.signal.throwIfAborted();
  const { checkpoint, x, target } = inputs;
  const model = checkpoint.model;
  if (!(model instanceof tf.LayersModel)) {
    throw new LensError('INVALID_INPUT', `${WHAT} needs a layers model with an Embedding layer; on graph models only occlusion explains token inputs.`);
  }
  const layer = embeddingLayer(model);
  if (!layer) {
    throw new LensError('INVALID_INPUT', `${WHAT}: the model takes token ids but has no Embedding layer to differentiate at; use occlusion.`);
  }
  const embedded = layerOutput(model, layer, x, WHAT); // [1, L, d]
  try {
    if (embedded.rank !== 3 || embedded.shape[0] !== 1) {
      throw new LensError('INVALID_INPUT', `${WHAT}: the embedding '${layer.name}' outputs [${embedded.shape}], not [1, length, dimension].`);
    }
    const subject: Pick<Checkpoint, 'model'> = { model };
    const gradientOf = (points: tf.Tensor) => gradientAtLayerOutput(subject, layer, x, points, target, WHAT);
    if (id === 'integrated-gradients') {
      const result = await integrate(
        { x: embedded, gradientOf, scoreOf: (points) => scoreWithLayerOutput(subject, layer, x, points, target, WHAT), elements: exampleElements(model, x.size) },
        options,
        ctx,
      );
      return { ...result, values: reduce(result.values, 'sum') };
    }
    if (id === 'smoothgrad') {
      const result = await smoothOver(embedded, exampleElements(model, x.size), gradientOf, options, ctx);
      const variant = options.smoothVariant ?? 'smoothgrad';
      return { values: reduce(result.values, variant === 'smoothgrad' ? 'l2' : 'sum') };
    }
    const values = await sumOverBatches(1, 1, ctx, () => {
      const g = gradientOf(embedded);
      return id === 'gradient' ? g : tf.mul(g, embedded);
    });
    return { values: reduce(values, id === 'gradient' ? 'l2' : 'sum') };
  } finally {
    embedded.dispose();
  }
}

/** [1, L, d] → [1, L] over the embedding dimension; disposes its argument. */
function reduce(values: tf.Tensor, how: 'sum' | 'l2'): tf.Tensor {
  const out = tf.tidy(() => (how === 'sum' ? tf.sum(values, -1) : tf.sqrt(tf.sum(tf.square(values), -1))));
  values.dispose();
  return out;
}
