/**
 * Influence on graph models: a graph model has no trainable weights, but its trailing dense layer
 * is there as constants — a MatMul (or the converter's _FusedMatMul) with a constant kernel, and a
 * BiasAdd with a constant bias, then at most a softmax (or a sigmoid) on the way to the output.
 * That layer becomes the parameter scope: the graph up to the MatMul's input is the fixed prefix
 * (run once over the training set), and the dense layer is rebuilt as a one-layer layers model over
 * those features, whose weights are the graph's constants.
 */
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import type { Checkpoint } from '../checkpoint/load';
import { LensError } from '../errors';
import { batchSizeFor, exampleElements } from '../model/batching';

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
  attr?: { transpose_a?: { b?: boolean }; transpose_b?: { b?: boolean }; fused_ops?: { list?: { s?: string[] } } };
}

/** Ops between the dense layer and the output that change nothing influence needs. */
const PASS_THROUGH = new Set(['Identity', 'Reshape', 'Squeeze', 'StopGradient', 'Snapshot']);

/** Final activations the rebuilt layer takes over (the loss then removes them: model/logits.ts). */
const SQUASH: Record<string, 'softmax' | 'sigmoid' | undefined> = { Softmax: 'softmax', Sigmoid: 'sigmoid' };

export interface GraphTail {
  /** The node whose output feeds the MatMul: the features. */
  features: string;
  /** The MatMul node (the scope's name). */
  matmul: string;
  /** The one-layer model y = features · W + b (softmax or sigmoid where the graph has one). The caller disposes it. */
  model: tf.LayersModel;
  reason: string;
}

const base = (name: string) => name.replace(/:\d+$/, '');

/** The graph's trailing dense layer on the way to output `outputName`, rebuilt; a LensError saying why when there is none. */
export function graphTail(checkpoint: Checkpoint): GraphTail {
  const model = checkpoint.model as tf.GraphModel;
  const nodes = new Map(((checkpoint.topology.node ?? []) as GraphNode[]).map((n) => [n.name, n]));
  const weights = model.weights as Record<string, tf.Tensor[]>;
  const constant = (name?: string) => (name ? weights[base(name)]?.[0] : undefined);
  const refuse = (why: string): never => {
    throw new LensError('INVALID_MODEL', `${path.basename(checkpoint.path)} is a graph model, and ${why}: influence needs a trailing dense layer (MatMul and BiasAdd with constant weights) to take as the parameters, or the Keras (layers) export of the model.`);
  };
  const output = checkpoint.head?.name ?? model.outputs[0].name;
  let node = nodes.get(base(output));
  let activation: 'softmax' | 'sigmoid' | 'linear' = 'linear';
  for (let hops = 0; node && (PASS_THROUGH.has(node.op) || SQUASH[node.op]) && hops < 16; hops++) {
    activation = SQUASH[node.op] ?? activation;
    node = nodes.get(base(node.input?.[0] ?? ''));
  }
  if (!node) return refuse('its output could not be traced');
  let matmul: GraphNode | undefined;
  let bias: tf.Tensor | undefined;
  if (node.op === '_FusedMatMul') {
    const fused = (node.attr?.fused_ops?.list?.s ?? []).map((s) => Buffer.from(s, 'base64').toString());
    if (fused.join(',') !== 'BiasAdd') return refuse(`its last dense layer fuses ${fused.join(', ')}`);
    matmul = node;
    bias = constant(node.input?.[2]);
  } else if (node.op === 'BiasAdd' || node.op === 'Add' || node.op === 'AddV2') {
    const [a, b] = node.input ?? [];
    bias = constant(b) ?? constant(a);
    matmul = nodes.get(base(constant(b) ? a : b));
    if (matmul?.op !== 'MatMul') return refuse(`its last op before the output is ${node.op} of ${matmul?.op ?? 'nothing'}, not of a MatMul`);
  } else {
    return refuse(`its last op before the output is ${node.op}, not a dense layer`);
  }
  const kernel = constant(matmul.input?.[1]);
  if (!kernel || !bias || kernel.rank !== 2 || bias.rank !== 1 || matmul.attr?.transpose_a?.b) return refuse(`'${matmul.name}' does not multiply by a constant kernel with a constant bias`);
  const w = (matmul.attr?.transpose_b?.b ? kernel.transpose() : kernel.clone()) as tf.Tensor2D;
  const [inputs, units] = w.shape;
  const dense = tf.sequential({ layers: [tf.layers.dense({ inputShape: [inputs], units, activation, name: 'graph_dense' })] });
  dense.layers[0].setWeights([w, bias]);
  w.dispose();
  return {
    features: base(matmul.input?.[0] ?? ''),
    matmul: matmul.name,
    model: dense,
    reason: `the graph's trailing dense layer '${matmul.name}' (${inputs}×${units} kernel and bias, constants of the graph taken as its parameters)`,
  };
}

/** The features (the MatMul's input) of inputs x, in memory-bounded batches. The caller owns the result. */
export function graphFeatures(checkpoint: Checkpoint, tail: GraphTail, x: tf.Tensor): tf.Tensor2D {
  const model = checkpoint.model as tf.GraphModel;
  const n = x.shape[0];
  const batch = batchSizeFor(exampleElements(model, x.size / Math.max(1, n)));
  const parts: tf.Tensor[] = [];
  try {
    for (let start = 0; start < n; start += batch) {
      parts.push(tf.tidy(() => (model.execute(x.slice(start, Math.min(batch, n - start)), tail.features) as tf.Tensor).reshape([-1, tail.model.inputs[0].shape[1] as number])));
    }
    return (parts.length === 1 ? parts[0].clone() : tf.concat(parts, 0)) as tf.Tensor2D;
  } finally {
    tf.dispose(parts);
  }
}
