/** The model summary shown in the panel and printed by `model-lens info`. */
import type * as tf from '@tensorflow/tfjs';
import type { BackendName, LayerSummary, ModelSummary } from '../../protocol/model';
import type { Checkpoint } from './load';

export function summarize(checkpoint: Checkpoint, backend: BackendName): ModelSummary {
  const layers = checkpoint.format === 'layers-model' ? layersOf(checkpoint.model as tf.LayersModel) : nodesOf(checkpoint);
  return {
    path: checkpoint.path,
    format: checkpoint.format,
    inputs: checkpoint.inputs,
    outputs: checkpoint.outputs,
    layers,
    // Counted from the stored weights, so layers and graph models agree on the same network.
    params: checkpoint.weightSpecs.reduce((n, spec) => n + size(spec.shape), 0),
    weightBytes: checkpoint.weightBytes,
    backend,
    sidecar: checkpoint.sidecar,
    warnings: checkpoint.warnings,
  };
}

function layersOf(model: tf.LayersModel): LayerSummary[] {
  return model.layers.map((layer) => {
    const shape = layer.outputShape as (number | null)[] | (number | null)[][];
    return {
      name: layer.name,
      className: layer.getClassName(),
      outputShape: Array.isArray(shape[0]) ? (shape as (number | null)[][]) : [shape as (number | null)[]],
      params: layer.countParams(),
    };
  });
}

interface GraphNode {
  name: string;
  op: string;
  input?: string[];
}

/** Graph models have ops, not layers: list every computing node with the constants it reads as its parameters. */
function nodesOf(checkpoint: Checkpoint): LayerSummary[] {
  const nodes = (checkpoint.topology.node ?? []) as GraphNode[];
  const weightSize = new Map(checkpoint.weightSpecs.map((spec) => [spec.name, size(spec.shape)]));
  return nodes
    .filter((node) => node.op !== 'Const' && node.op !== 'Placeholder')
    .map((node) => ({
      name: node.name,
      className: node.op,
      outputShape: [],
      params: (node.input ?? []).reduce((n, input) => n + (weightSize.get(input.split(':')[0]) ?? 0), 0),
    }));
}

function size(shape: number[]): number {
  return shape.reduce((a, b) => a * b, 1);
}
