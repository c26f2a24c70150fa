/**
 * Per-example gradients of dense layers for a whole batch at once. For y = aW + b, example i's
 * gradient is aᵢᵀδᵢ for W and δᵢ for b, with δᵢ = ∂Lᵢ/∂zᵢ at the pre-activation z. One batched
 * backward pass gives every δᵢ (the summed loss's gradient at zᵢ depends on example i only), so a
 * scope of dense layers needs no per-example backward passes: thousands of examples cost a few ops.
 */
import * as tf from '@tensorflow/tfjs';

/** Dense's activation function; tfjs keeps it as a (typed-private) field. */
type WithActivation = { activation?: { apply(x: tf.Tensor): tf.Tensor } };

/**
 * Whether the batched path applies: every scoped layer is a bias-carrying Dense layer of the
 * suffix chain with rank-2 inputs.
 */
export function denseScopeFits(suffix: tf.layers.Layer[] | null, scoped: readonly string[]): suffix is tf.layers.Layer[] {
  if (!suffix) return false;
  return scoped.every((name) => {
    const layer = suffix.find((l) => l.name === name);
    if (!layer || layer.getClassName() !== 'Dense' || layer.trainableWeights.length !== 2) return false;
    const input = layer.inputSpec?.[0]?.minNDim;
    return (input === undefined || input <= 2) && (layer.batchInputShape?.length ?? 2) === 2 && (layer as unknown as WithActivation).activation !== undefined;
  });
}

/**
 * Rows [n, p] of per-example gradients, columns in the scope's variable order (each layer's kernel
 * row-major, then its bias). loss maps the suffix's output to per-example losses [n].
 */
export function denseExampleGradients(
  suffix: tf.layers.Layer[],
  scoped: readonly string[],
  features: tf.Tensor,
  loss: (output: tf.Tensor) => tf.Tensor1D,
): tf.Tensor2D {
  return tf.tidy(() => {
    const n = features.shape[0];
    const probes = scoped.map((name) => tf.zeros([n, suffix.find((l) => l.name === name)?.trainableWeights[1].shape[0] ?? 0]));
    // Tensors made inside tf.grads are freed when it returns, so the layers' inputs are recorded
    // by a plain forward pass first.
    const inputs = new Map<string, tf.Tensor2D>();
    const run = (deltas: tf.Tensor[], record?: Map<string, tf.Tensor2D>) =>
      suffix.reduce((a, layer) => {
        const k = scoped.indexOf(layer.name);
        if (k < 0) return layer.apply(a) as tf.Tensor;
        if (a.rank !== 2) throw new Error(`dense layer '${layer.name}' got a rank-${a.rank} input`);
        record?.set(layer.name, a as tf.Tensor2D);
        const [kernel, bias] = layer.trainableWeights.map((w) => w.read());
        const z = tf.add(tf.add(tf.matMul(a as tf.Tensor2D, kernel as tf.Tensor2D), bias), deltas[k]);
        return (layer as unknown as WithActivation).activation?.apply(z) ?? z;
      }, features);
    run(probes, inputs);
    const deltas = tf.grads((...d: tf.Tensor[]) => loss(run(d)).sum())(probes);
    const parts = scoped.flatMap((name, k) => {
      const a = inputs.get(name) as tf.Tensor2D;
      const outer = tf.mul(a.expandDims(2), deltas[k].expandDims(1)).reshape([n, -1]);
      return [outer, deltas[k]];
    });
    return tf.concat(parts, 1) as tf.Tensor2D;
  });
}
