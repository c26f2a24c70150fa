/**
 * The training objective as a function of the scope's parameters θ: the mean cross-entropy of the
 * model's outputs against the labels (a softmax head's categorical cross-entropy; a sigmoid head's
 * binary cross-entropy of its one unit, the label being class 0 or 1). Everything influence needs
 * is built from its losses and gradients: per-example gradients, the mean gradient, and (by
 * differences) Hessian-vector products.
 * The data it sees are "features": the inputs of the first scoped layer (see split.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { RunContext } from '../../protocol/engine';
import { outputKind, type OutputKind } from '../model/probabilities';
import { batchSizeFor, exampleElements } from '../model/batching';
import type { ParamScope } from './scope';
import type { Checkpoint } from '../checkpoint/load';
import { denseExampleGradients, denseScopeFits } from './denseGradients';
import { hasFinal, withLogits, type Squash } from '../model/logits';
import { splitModel, type SplitModel } from './split';

export interface Dataset {
  /** Inputs of the first scoped layer, [n, ...]. */
  features: tf.Tensor;
  labels: Int32Array;
}

/** Per-example gradients: row i (p floats) is ∇θ L(z_i). */
export interface GradientRows {
  n: number;
  p: number;
  data: Float32Array;
}

/** Only for models whose softmax or sigmoid cannot be undone (see withLogits): keeps the loss finite. */
const MIN_PROBABILITY = 1e-12;
/** Examples per chunk of per-example gradients: progress and cancellation run between chunks. */
const ROWS_PER_CHUNK = 64;
/** Float budget of one batched pass, and a guess of how much the suffix's activations outgrow its input. */
const CHUNK_FLOATS = 4_000_000;
const ACTIVATION_GROWTH = 8;
/**
 * The output of `model` that the request's head reads: the head's index, or 0 for a model with one
 * output (a graph model's rebuilt dense layer: the head was chosen when it was rebuilt).
 */
function headOutputOf(model: tf.LayersModel, checkpoint: Pick<Checkpoint, 'head'>): number {
  return model.outputs.length > 1 ? (checkpoint.head?.index ?? 0) : 0;
}

/**
 * How the head's values become a loss: 'softmax', categorical cross-entropy over its units;
 * 'sigmoid', binary cross-entropy of its one unit; `activation`: the head's final activation as
 * loaded (where the model ends in a sigmoid that withLogits cannot remove, the unit is p, not z).
 */
export interface HeadLoss {
  squash: Squash;
  activation?: string;
}

/** The loss of the checkpoint's head (the first when none is selected). */
export function headLossOf(checkpoint: Pick<Checkpoint, 'head' | 'outputs'>): HeadLoss {
  const spec = checkpoint.outputs[checkpoint.head?.index ?? 0];
  return { squash: spec?.kind === 'sigmoid' ? 'sigmoid' : 'softmax', activation: spec?.activation };
}

/** The objective of the checkpoint's head on `model` (the checkpoint's layers model, or a graph model's rebuilt tail). */
export function objectiveOf(model: tf.LayersModel, scope: ParamScope, checkpoint: Pick<Checkpoint, 'head' | 'outputs'>): Objective {
  return new Objective(model, scope, headOutputOf(model, checkpoint), headLossOf(checkpoint));
}

/** Gradient floats per batch on the dense path (examples × parameters), and at most this many examples, so progress moves. */
const BATCHED_GRADIENT_FLOATS = 2_000_000;
const BATCHED_ROWS_MAX = 1024;

export class Objective {
  readonly size: number;
  private readonly split: SplitModel;
  private readonly vars: tf.Variable[];
  private kind: OutputKind | null = null;

  /** `output`: the head whose loss it is (default the first output); `loss`: how its values are scored (default softmax). */
  constructor(
    readonly model: tf.LayersModel,
    readonly scope: ParamScope,
    readonly output = 0,
    readonly loss: HeadLoss = { squash: 'softmax' },
  ) {
    this.split = splitModel(model, scope.layers, output);
    this.vars = scope.variables.map((v) => v.read() as tf.Variable);
    this.size = scope.size;
    // Decided here, not in the loss: while withLogits runs, the output layer's activation reads 'linear'.
    if (hasFinal(model, loss.squash)) this.kind = 'logits';
    else if (loss.squash === 'sigmoid') this.kind = loss.activation === 'sigmoid' ? 'probabilities' : 'logits';
  }

  /** The suffix's inputs for training inputs x, in memory-bounded batches. The caller owns the result. */
  embed(x: tf.Tensor, labels: Int32Array): Dataset {
    const n = x.shape[0];
    const batch = batchSizeFor(exampleElements(this.model, x.size / n));
    const parts: tf.Tensor[] = [];
    for (let start = 0; start < n; start += batch) {
      parts.push(tf.tidy(() => this.split.prefix(x.slice(start, Math.min(batch, n - start)))));
    }
    const features = parts.length === 1 ? parts[0] : tf.concat(parts, 0);
    if (parts.length > 1) tf.dispose(parts);
    return { features, labels };
  }

  getParams(): Float32Array {
    const values = this.vars.map((v) => v.dataSync() as Float32Array);
    const theta = new Float32Array(this.size);
    let offset = 0;
    for (const part of values) {
      theta.set(part, offset);
      offset += part.length;
    }
    return theta;
  }

  setParams(theta: ArrayLike<number>): void {
    let offset = 0;
    for (const v of this.vars) {
      const part = Float32Array.from({ length: v.size }, (_, i) => theta[offset + i]);
      tf.tidy(() => v.assign(tf.tensor(part, v.shape)));
      offset += v.size;
    }
  }

  /** Per-example losses, [n]. */
  losses(data: Dataset): Float64Array {
    const out = new Float64Array(data.labels.length);
    this.forChunks(data, this.chunk(data), (start, f, y) => {
      const loss = tf.tidy(() => this.lossTensor(f, y));
      out.set(loss.dataSync(), start);
      loss.dispose();
    });
    return out;
  }

  /** ∇θ of the mean loss over data (over `rows` only when given). */
  meanGradient(data: Dataset, rows?: Int32Array): Float64Array {
    const subset = rows ? this.subset(data, rows) : data;
    const sum = new Float64Array(this.size);
    try {
      this.forChunks(subset, this.chunk(subset), (_start, f, y) => {
        const g = this.gradient(() => this.lossTensor(f, y).sum() as tf.Scalar);
        for (let i = 0; i < g.length; i++) sum[i] += g[i];
      });
    } finally {
      if (rows) subset.features.dispose();
    }
    const n = subset.labels.length;
    return sum.map((s) => s / n);
  }

  /**
   * Per-example gradients; ctx reports examples done and cancels. A scope of dense layers takes a
   * batch at a time (denseGradients.ts); anything else takes one backward pass per example.
   */
  async exampleGradients(data: Dataset, ctx: RunContext, message = 'Training gradients'): Promise<GradientRows> {
    const n = data.labels.length;
    const rows: GradientRows = { n, p: this.size, data: new Float32Array(n * this.size) };
    const suffix = this.split.suffixLayers;
    const batched = denseScopeFits(suffix, this.scope.layers);
    const chunk = batched ? Math.max(1, Math.min(BATCHED_ROWS_MAX, Math.floor(BATCHED_GRADIENT_FLOATS / this.size))) : ROWS_PER_CHUNK;
    for (let start = 0; start < n; start += chunk) {
      ctx.signal.throwIfAborted();
      const end = Math.min(n, start + chunk);
      if (batched) {
        const labels = data.labels.subarray(start, end);
        const block = tf.tidy(() =>
          withLogits(this.model, () => denseExampleGradients(suffix, this.scope.layers, data.features.slice(start, end - start), (out) => this.crossEntropy(out, labels)), this.loss.squash),
        );
        rows.data.set(block.dataSync(), start * this.size);
        block.dispose();
      } else {
        for (let i = start; i < end; i++) rows.data.set(this.exampleGradient(data, i), i * this.size);
      }
      ctx.onProgress(end, n, `${message} ${end}/${n}`);
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
    return rows;
  }

  /** ∇θ L(z_i) for one example of data. */
  exampleGradient(data: Dataset, i: number): Float32Array {
    return this.gradient(() => {
      const f = data.features.slice(i, 1);
      return this.lossTensor(f, data.labels.subarray(i, i + 1)).sum() as tf.Scalar;
    });
  }

  /** Per-example cross-entropy of the features' outputs. */
  private lossTensor(features: tf.Tensor, labels: Int32Array): tf.Tensor1D {
    return this.crossEntropy(withLogits(this.model, () => this.split.suffix(features), this.loss.squash), labels);
  }

  /**
   * Cross-entropy from the model's output: logits when withLogits could remove the final softmax,
   * else decided once from the first output (probabilities or logits); a sigmoid head's, binary.
   */
  private crossEntropy(output: tf.Tensor, labels: Int32Array): tf.Tensor1D {
    const out = output.reshape([labels.length, -1]) as tf.Tensor2D;
    if (this.loss.squash === 'sigmoid') return this.binaryCrossEntropy(out, labels);
    this.kind ??= outputKind(out);
    const onehot = tf.oneHot(tf.tensor1d(labels, 'int32'), out.shape[1]);
    const logp = this.kind === 'logits' ? tf.logSoftmax(out) : tf.log(tf.maximum(out, MIN_PROBABILITY));
    return tf.neg(tf.sum(tf.mul(logp, onehot), 1)) as tf.Tensor1D;
  }

  /**
   * BCE of the one unit: from the logit z, softplus(z) − y·z (finite and with gradient σ(z) − y
   * however wrong the example); from p only when the model ends in a sigmoid withLogits could not remove.
   */
  private binaryCrossEntropy(out: tf.Tensor2D, labels: Int32Array): tf.Tensor1D {
    const unit = out.slice([0, 0], [-1, 1]).reshape([-1]);
    const y = tf.tensor1d(Float32Array.from(labels));
    if (this.kind === 'logits') return tf.sub(tf.softplus(unit), tf.mul(y, unit)) as tf.Tensor1D;
    const log = (p: tf.Tensor) => tf.log(tf.maximum(p, MIN_PROBABILITY));
    return tf.neg(tf.add(tf.mul(y, log(unit)), tf.mul(tf.sub(1, y), log(tf.sub(1, unit))))) as tf.Tensor1D;
  }

  private gradient(f: () => tf.Scalar): Float32Array {
    const flat = tf.tidy(() => {
      const { grads } = tf.variableGrads(f, this.vars);
      return tf.concat(this.vars.map((v) => (grads[v.name] ?? tf.zerosLike(v)).reshape([-1])));
    });
    const out = flat.dataSync() as Float32Array;
    flat.dispose();
    return out;
  }

  /** Examples per batched loss/gradient: the whole set when it fits the budget (the suffix is often one small layer). */
  private chunk(data: Dataset): number {
    const perExample = (data.features.size / Math.max(1, data.labels.length)) * ACTIVATION_GROWTH;
    return Math.max(1, Math.floor(CHUNK_FLOATS / perExample));
  }

  private forChunks(data: Dataset, batch: number, visit: (start: number, f: tf.Tensor, y: Int32Array) => void): void {
    const n = data.labels.length;
    for (let start = 0; start < n; start += batch) {
      const size = Math.min(batch, n - start);
      const f = data.features.slice(start, size);
      try {
        visit(start, f, data.labels.subarray(start, start + size));
      } finally {
        f.dispose();
      }
    }
  }

  private subset(data: Dataset, rows: Int32Array): Dataset {
    const features = tf.tidy(() => tf.gather(data.features, tf.tensor1d(rows, 'int32')));
    return { features, labels: Int32Array.from(rows, (r) => data.labels[r]) };
  }
}
