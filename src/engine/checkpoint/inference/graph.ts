/**
 * A layers model as a flat list of layer calls in execution order, each naming the symbolic tensors
 * it reads and writes: what `model.predict` walks, without its per-call bookkeeping. Only models
 * with one input, one output, and every layer called once in them are described.
 */
import type * as tf from '@tensorflow/tfjs';

/** The parts of tfjs-layers' (typed-internal) graph structures read here. */
interface SymbolicTensorLike {
  id: number;
}
interface NodeLike {
  inputTensors: SymbolicTensorLike[];
  outputTensors: SymbolicTensorLike[];
}
type GraphLayer = tf.layers.Layer & { inboundNodes: NodeLike[] };
interface ContainerLike {
  layers: GraphLayer[];
  inputs: SymbolicTensorLike[];
  outputs: SymbolicTensorLike[];
  containerNodes: Set<string>;
}

export interface LayerCall {
  layer: tf.layers.Layer;
  /** Ids of the symbolic tensors it reads, in order. */
  inputs: number[];
  output: number;
}

export interface LayerGraph {
  input: number;
  output: number;
  calls: LayerCall[];
  /** How many calls (and the model's output) read each tensor id. */
  readers: Map<number, number>;
}

/** The model's layer calls in order, or why it cannot be described this way. */
export function layerGraph(model: tf.LayersModel): LayerGraph | string {
  // A Sequential model runs an inner functional model, whose graph this is.
  const container = ((model as unknown as { model?: ContainerLike }).model ?? model) as unknown as ContainerLike;
  if (container.inputs.length !== 1 || container.outputs.length !== 1) return 'the model has several inputs or outputs';
  const input = container.inputs[0].id;
  const output = container.outputs[0].id;
  const known = new Set([input]);
  const calls: LayerCall[] = [];
  const readers = new Map<number, number>([[output, 1]]);
  for (const layer of container.layers) {
    const nodes = layer.inboundNodes.filter((_, i) => container.containerNodes.has(`${layer.name}_ib-${i}`));
    if (nodes.length !== 1) return `layer ${layer.name} is called ${nodes.length} times`;
    const [node] = nodes;
    if (layer.getClassName() === 'InputLayer') continue;
    if (node.outputTensors.length !== 1) return `layer ${layer.name} has ${node.outputTensors.length} outputs`;
    const inputs = node.inputTensors.map((t) => t.id);
    if (inputs.some((id) => !known.has(id))) return `layer ${layer.name} runs before its inputs`;
    for (const id of inputs) readers.set(id, (readers.get(id) ?? 0) + 1);
    calls.push({ layer, inputs, output: node.outputTensors[0].id });
    known.add(node.outputTensors[0].id);
  }
  if (!known.has(output)) return 'the output is not reached from the input';
  return { input, output, calls, readers };
}
