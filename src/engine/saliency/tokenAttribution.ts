/**
 * Token attribution for text models (layers models whose input is integer token ids): gradients
 * with respect to token ids do not exist, so the registry's gradient methods run on the subject at
 * the output of the model's first Embedding layer (Captum's LayerIntegratedGradients /
 * configure_interpretable_embedding_layer), and the attribution of each position is then reduced
 * over the embedding dimension:
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
 * Occlusion needs no gradient: it runs on the subject at the input, filling token positions with
 * the padding id 0 (window 1 by default). Grad-CAM has no convolutional feature map here and is refused.
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import type { SaliencyMethod, SaliencyOptions } from '../../protocol/saliency';
import { LensError } from '../errors';
import { classObjective } from '../model/objective';
import { embeddingLayer, layerSubject } from '../model/subject';
import type { Attribution, AttributionInputs, AttributionMethod } from './method';
import { occlusion } from './occlusion';
import { attributionMethod } from './registry';

export { embeddingLayer } from '../model/subject';

const WHAT = 'Token attribution';
const GRADIENT_METHODS: readonly SaliencyMethod[] = ['gradient', 'gradient-x-input', 'integrated-gradients', 'smoothgrad'];

/** The attribution method `id` for token-id inputs (reduced to [1, L]). */
export function tokenAttributionMethod(id: SaliencyMethod): AttributionMethod {
  if (id === 'grad-cam') {
    throw new LensError('INVALID_INPUT', 'Grad-CAM needs a convolutional layer with a 2-D feature map; text models have none. Use integrated-gradients, gradient, gradient-x-input, smoothgrad or occlusion.');
  }
  if (id === 'occlusion') {
    // Window positions are token positions; the default fill 0 is the padding id.
    return { id, usesBaseline: false, run: (inputs, options, ctx) => occlusion.run(inputs, { ...options, window: options.window ?? 1 }, ctx) };
  }
  if (!GRADIENT_METHODS.includes(id)) throw new LensError('BAD_REQUEST', `Unknown saliency method '${String(id)}'.`);
  const method = attributionMethod(id);
  return { id, usesBaseline: false, run: (inputs, options, ctx) => atEmbedding(method, inputs, options, ctx) };
}

/** `method` on the subject at the embedding's output (from the all-zero embedding, for IG), reduced per token. */
async function atEmbedding(method: AttributionMethod, inputs: AttributionInputs, options: SaliencyOptions, ctx: RunContext): Promise<Attribution> {
  ctx.signal.throwIfAborted();
  const { checkpoint, x } = inputs;
  const model = checkpoint.model;
  if (!(model instanceof tf.LayersModel)) {
    throw new LensError('INVALID_INPUT', `${WHAT} needs a layers model with an Embedding layer; on graph models only occlusion explains token inputs.`);
  }
  const layer = embeddingLayer(model);
  if (!layer) {
    throw new LensError('INVALID_INPUT', `${WHAT}: the model takes token ids but has no Embedding layer to differentiate at; use occlusion.`);
  }
  const subject = layerSubject(checkpoint, layer, x, inputs.objective ?? classObjective(inputs.target), WHAT); // point: [1, L, d]
  try {
    if (subject.x.rank !== 3 || subject.x.shape[0] !== 1) {
      throw new LensError('INVALID_INPUT', `${WHAT}: the embedding '${layer.name}' outputs [${subject.x.shape}], not [1, length, dimension].`);
    }
    const result = await method.run({ ...inputs, subject, baseline: undefined, helper: undefined }, options, ctx);
    const variant = options.smoothVariant!;
    const l2 = method.id === 'gradient' || (method.id === 'smoothgrad' && variant === 'smoothgrad');
    return { ...result, values: reduce(result.values, l2 ? 'l2' : 'sum') };
  } finally {
    subject.dispose();
  }
}

/** [1, L, d] → [1, L] over the embedding dimension; disposes its argument. */
function reduce(values: tf.Tensor, how: 'sum' | 'l2'): tf.Tensor {
  const out = tf.tidy(() => (how === 'sum' ? tf.sum(values, -1) : tf.sqrt(tf.sum(tf.square(values), -1))));
  values.dispose();
  return out;
}
