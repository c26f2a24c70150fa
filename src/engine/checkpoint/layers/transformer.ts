/**
 * The two layers a small causal transformer needs that tfjs-layers lacks: learned position
 * embeddings and causal multi-head self-attention. Registered with tfjs's serialization on import,
 * so a checkpoint that uses them (examples/tiny-decoder) loads like any layers model. Everything
 * else in such a model is a built-in layer (Embedding, LayerNormalization, Dense, Add), so the
 * token embedding stays an ordinary Embedding layer that subjects can tap.
 */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../../errors';

/** x + P[0:T], P a learned [maxLength, d] table. Input and output [batch, T, d]. */
export class PositionEmbedding extends tf.layers.Layer {
  static className = 'PositionEmbedding';
  readonly maxLength: number;
  private readonly seed?: number;
  private table!: tf.LayerVariable;

  constructor(args: { maxLength: number; seed?: number; name?: string; inputShape?: (number | null)[] }) {
    super(args);
    this.maxLength = args.maxLength;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape).at(-1) as number;
    this.table = this.addWeight('table', [this.maxLength, d], 'float32', tf.initializers.randomNormal({ stddev: 0.02, seed: this.seed }));
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = Array.isArray(inputs) ? inputs[0] : inputs;
      const [, length, d] = x.shape;
      if (length > this.maxLength) {
        throw new LensError('BAD_REQUEST', `The sequence has ${length} tokens; the model's context holds ${this.maxLength}.`);
      }
      return tf.add(x, tf.slice(this.table.read(), [0, 0], [length, d]));
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), maxLength: this.maxLength };
  }
}

/**
 * Causal multi-head self-attention, [batch, T, d] → [batch, T, d]: one fused Q/K/V projection,
 * softmax(QKᵀ/√(d/h) + mask) V per head with every position seeing itself and the positions
 * before it, then the output projection.
 */
export class CausalSelfAttention extends tf.layers.Layer {
  static className = 'CausalSelfAttention';
  readonly heads: number;
  private readonly seed?: number;
  private qkvKernel!: tf.LayerVariable;
  private qkvBias!: tf.LayerVariable;
  private outKernel!: tf.LayerVariable;
  private outBias!: tf.LayerVariable;

  constructor(args: { heads: number; seed?: number; name?: string }) {
    super(args);
    this.heads = args.heads;
    this.seed = args.seed;
  }

  override build(inputShape: tf.Shape | tf.Shape[]): void {
    const d = (inputShape as tf.Shape).at(-1) as number;
    if (d % this.heads !== 0) throw new LensError('INVALID_MODEL', `Attention layer '${this.name}': width ${d} is not a multiple of its ${this.heads} heads.`);
    const seed = this.seed;
    this.qkvKernel = this.addWeight('qkv_kernel', [d, 3 * d], 'float32', tf.initializers.glorotUniform({ seed }));
    this.qkvBias = this.addWeight('qkv_bias', [3 * d], 'float32', tf.initializers.zeros());
    this.outKernel = this.addWeight('out_kernel', [d, d], 'float32', tf.initializers.glorotUniform({ seed: seed === undefined ? undefined : seed + 1 }));
    this.outBias = this.addWeight('out_bias', [d], 'float32', tf.initializers.zeros());
    this.built = true;
  }

  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => {
      const x = (Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor3D;
      const [batch, length, d] = x.shape;
      const h = this.heads;
      const width = d / h;
      const qkv = tf.add(tf.matMul(tf.reshape(x, [batch * length, d]), this.qkvKernel.read() as tf.Tensor2D), this.qkvBias.read());
      // [b·T, 3d] → three [b, h, T, d/h]
      const heads = (part: number) => tf.transpose(tf.reshape(tf.slice(qkv, [0, part * d], [-1, d]), [batch, length, h, width]), [0, 2, 1, 3]);
      const [q, k, v] = [heads(0), heads(1), heads(2)];
      const scores = tf.add(tf.mul(tf.matMul(q, k, false, true), 1 / Math.sqrt(width)), causalMask(length));
      const mixed = tf.matMul(tf.softmax(scores), v); // [b, h, T, d/h]
      const merged = tf.reshape(tf.transpose(mixed, [0, 2, 1, 3]), [batch * length, d]);
      return tf.reshape(tf.add(tf.matMul(merged, this.outKernel.read() as tf.Tensor2D), this.outBias.read()), [batch, length, d]);
    });
  }

  override getConfig(): tf.serialization.ConfigDict {
    return { ...super.getConfig(), heads: this.heads };
  }
}

/** [T, T]: 0 where position i may see j (j ≤ i), −1e9 elsewhere. */
function causalMask(length: number): tf.Tensor2D {
  const values = new Float32Array(length * length);
  for (let i = 0; i < length; i++) for (let j = i + 1; j < length; j++) values[i * length + j] = -1e9;
  return tf.tensor2d(values, [length, length]);
}

tf.serialization.registerClass(PositionEmbedding);
tf.serialization.registerClass(CausalSelfAttention);

/** Keeps the registrations from being tree-shaken from a bundle that only imports this for its side effect. */
export const TRANSFORMER_LAYERS = [PositionEmbedding.className, CausalSelfAttention.className] as const;
