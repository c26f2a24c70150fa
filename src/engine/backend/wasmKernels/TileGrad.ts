/**
 * The gradient of tile as one reshape and one sum: dy [r₀x₀, r₁x₁, …] viewed as [r₀, x₀, r₁, x₁, …]
 * (tile's output index along axis i is k·xᵢ + j for repetition k), summed over the repetition axes.
 * tfjs's own adds one slice of dy per repetition: the LayerNormalization layer tiles its scale and
 * offset over batch and positions, so a [32, 60, 64] activation cost 1,920 slices and adds per layer.
 */
import * as tf from '@tensorflow/tfjs';

export const tileGradConfig: tf.GradConfig = {
  kernelName: tf.Tile,
  inputsToSave: ['x'],
  gradFunc: (dy, saved, attrs) => {
    const [x] = saved;
    const { reps } = attrs as unknown as tf.TileAttrs;
    return {
      x: () => {
        const split = x.shape.flatMap((d, i) => [reps[i], d]);
        const repetitionAxes = x.shape.map((_, i) => 2 * i);
        return tf.reshape(tf.sum(tf.reshape(dy as tf.Tensor, split), repetitionAxes), x.shape);
      },
    };
  },
};
