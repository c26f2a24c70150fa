/**
 * Graph models (TensorFlow GraphDefs) node by node: their nodes from model.json's topology, the
 * nodes between the input and the output, a node's values for an input, and running the graph from
 * given values at a node (fed beside the input, so that branches that bypass the node still see
 * it). Grad-CAM reads a node's activation and gradient; subjects at a node (subject.ts) differentiate
 * the objective with respect to a node's values.
 */
import * as tf from '@tensorflow/tfjs';
import { LensError } from '../errors';

export interface GraphNode {
  name: string;
  op: string;
  /** Data inputs by node name (control dependencies and output indices dropped). */
  inputs: string[];
}

/** Ops that hold no activation: constants, feeds, no-ops. */
const NOT_ACTIVATIONS = new Set(['Const', 'Placeholder', 'PlaceholderWithDefault', 'NoOp']);

export function graphNodes(topology: Record<string, unknown>): Map<string, GraphNode> {
  const nodes = new Map<string, GraphNode>();
  const list = Array.isArray(topology.node) ? (topology.node as { name?: unknown; op?: unknown; input?: unknown }[]) : [];
  for (const node of list) {
    if (typeof node.name !== 'string') continue;
    const inputs = Array.isArray(node.input) ? (node.input as string[]) : [];
    nodes.set(node.name, {
      name: node.name,
      op: String(node.op),
      // Drop control dependencies (^name) and output indices (name:1).
      inputs: inputs.filter((i) => !i.startsWith('^')).map((i) => i.replace(/:\d+$/, '')),
    });
  }
  return nodes;
}

/**
 * Nodes between the input and the output (ancestors of the output that depend on the input), in
 * execution order.
 */
export function pathNodes(nodes: Map<string, GraphNode>, input: string, output: string): GraphNode[] {
  const order: GraphNode[] = [];
  const state = new Map<string, 'visiting' | 'done'>();
  const dependsOnInput = new Map<string, boolean>();
  // Iterative post-order DFS from the output (graphs can be deep).
  const stack: { name: string; expanded: boolean }[] = [{ name: output, expanded: false }];
  while (stack.length > 0) {
    const top = stack.pop() as { name: string; expanded: boolean };
    const node = nodes.get(top.name);
    if (!node) continue;
    if (top.expanded) {
      state.set(node.name, 'done');
      const depends = node.name === input || node.inputs.some((i) => dependsOnInput.get(i) === true);
      dependsOnInput.set(node.name, depends);
      if (depends) order.push(node);
      continue;
    }
    if (state.has(node.name)) continue;
    state.set(node.name, 'visiting');
    stack.push({ name: node.name, expanded: true });
    for (const i of node.inputs) if (!state.has(i)) stack.push({ name: i, expanded: false });
  }
  return order;
}

/** The node name of a tensor name ('x:0' → 'x'). */
export const nodeOf = (tensor: string): string => tensor.replace(/:\d+$/, '');

/** The single input's node name; `what` names the method for the error. */
export function graphInput(model: tf.GraphModel, what: string): string {
  if (model.inputs.length !== 1) throw new LensError('INVALID_INPUT', `${what} supports graph models with one input; this one has ${model.inputs.length}.`);
  return nodeOf(model.inputs[0].name);
}

/** The nodes between the model's input and `output` (default its first output) that hold activations, in execution order. */
export function activationNodes(model: tf.GraphModel, topology: Record<string, unknown>, what: string, output = model.outputs[0].name): GraphNode[] {
  return pathNodes(graphNodes(topology), graphInput(model, what), nodeOf(output)).filter((n) => !NOT_ACTIVATIONS.has(n.op));
}

/**
 * The node whose output is the first output's logits: the input of a final Softmax, so that the
 * class logit can be differentiated; null when the output is not a softmax.
 */
export function logitsNode(model: tf.GraphModel, topology: Record<string, unknown>): string | null {
  const output = graphNodes(topology).get(nodeOf(model.outputs[0].name));
  return output?.op === 'Softmax' && output.inputs.length === 1 ? output.inputs[0] : null;
}

/** The outputs of `nodes` for x, in the order given; the caller owns them. */
export function nodeOutputs(model: tf.GraphModel, x: tf.Tensor, nodes: string[], what: string): tf.Tensor[] {
  return runGraph(() => {
    const out = model.execute(x, nodes);
    return Array.isArray(out) ? out : [out];
  }, what);
}

/** Graph execution errors (control flow, bad feeds) as one-line LensErrors naming the method. */
export function runGraph<T>(body: () => T, what: string): T {
  try {
    return body();
  } catch (err) {
    if (err instanceof LensError) throw err;
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    throw new LensError('INVALID_INPUT', `${what} could not run the graph model to the chosen node: ${message}`);
  }
}
