/**
 * Writes the bundled example `examples/iris-graph/`: a TF.js **graph model** (a TensorFlow
 * GraphDef as JSON) that computes the same function as the layers model in `examples/iris-mlp/`,
 * with its weights copied from there. No training; run after train-iris-mlp:
 *
 *   npx tsc -p . && node out/scripts/make-iris-graph.js
 *
 * Graph: x (Placeholder [-1,4]) → dense1/MatMul → dense1/BiasAdd → dense1/Relu → dense2/MatMul
 * → dense2/BiasAdd → probs (Softmax). Checks that the written files load with
 * tf.loadGraphModel, match the layers model on all 150 rows, and pass input gradients.
 * Copies the sidecar, data/ (all rows, train and test split) and samples/ from iris-mlp.
 */
import * as tf from '@tensorflow/tfjs';
import * as fs from 'fs';
import * as path from 'path';
import type { Sidecar } from '../src/protocol/model';
import { lineJson, writeJson } from './lib/json';
import { loadLayersModel, readModelFiles } from './lib/modelFiles';
import { ROOT, exampleDir } from './lib/paths';
import { runScript, useCpuBackend } from './lib/run';

const SRC_DIR = exampleDir('iris-mlp');
const OUT_DIR = exampleDir('iris-graph');
/** All 150 iris rows (the sidecar's data.train and data.test hold the split). */
const ALL_ROWS = 'data/iris.csv';

/** GraphDef JSON as tfjs-converter reads it (attr values are AttrValue protos as JSON). */
interface NodeDef {
  name: string;
  op: string;
  input?: string[];
  attr?: Record<string, unknown>;
}

const FLOAT = { type: 'DT_FLOAT' };
const shapeProto = (shape: number[]) => ({ dim: shape.map((d) => ({ size: String(d) })) });

function constNode(name: string, shape: number[]): NodeDef {
  return {
    name,
    op: 'Const',
    attr: { dtype: FLOAT, value: { tensor: { dtype: 'DT_FLOAT', tensorShape: shapeProto(shape) } } },
  };
}

function denseNodes(scope: string, input: string, activation: 'Relu' | 'Softmax', outName?: string): NodeDef[] {
  const nodes: NodeDef[] = [
    { name: `${scope}/MatMul`, op: 'MatMul', input: [input, `${scope}/kernel`], attr: { T: FLOAT, transpose_a: { b: false }, transpose_b: { b: false } } },
    // data_format "NHWC", base64-encoded as TensorFlow writes string attrs.
    { name: `${scope}/BiasAdd`, op: 'BiasAdd', input: [`${scope}/MatMul`, `${scope}/bias`], attr: { T: FLOAT, data_format: { s: Buffer.from('NHWC').toString('base64') } } },
  ];
  nodes.push({ name: outName ?? `${scope}/${activation}`, op: activation, input: [`${scope}/BiasAdd`], attr: { T: FLOAT } });
  return nodes;
}

function copyRelative(rel: string): void {
  const to = path.join(OUT_DIR, rel);
  fs.mkdirSync(path.dirname(to), { recursive: true });
  fs.copyFileSync(path.join(SRC_DIR, rel), to);
}

async function main(): Promise<void> {
  await useCpuBackend();

  // Weights of the layers model, by name.
  const src = readModelFiles(SRC_DIR);
  const srcWeights = tf.io.decodeWeights(src.weightData, src.weightSpecs);
  const pick = (name: string): tf.Tensor => {
    const t = srcWeights[name];
    if (!t) throw new Error(`iris-mlp has no weight '${name}' (has ${Object.keys(srcWeights).join(', ')})`);
    return t;
  };
  // Graph Const name ← layers weight name.
  const consts: [string, tf.Tensor][] = [
    ['dense1/kernel', pick('dense1/kernel')],
    ['dense1/bias', pick('dense1/bias')],
    ['dense2/kernel', pick('probs/kernel')],
    ['dense2/bias', pick('probs/bias')],
  ];
  const [, k1] = consts[0];
  const [, k2] = consts[2];
  if (k1.shape[0] !== 4 || k2.shape[0] !== k1.shape[1] || k2.shape[1] !== 3) throw new Error(`unexpected shapes ${k1.shape} ${k2.shape}`);

  const nodes: NodeDef[] = [
    { name: 'x', op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: shapeProto([-1, 4]) } } },
    ...consts.map(([name, t]) => constNode(name, t.shape)),
    ...denseNodes('dense1', 'x', 'Relu'),
    ...denseNodes('dense2', 'dense1/Relu', 'Softmax', 'probs'),
  ];
  const modelTopology = { node: nodes, library: {}, versions: { producer: 1395, minConsumer: 12 } };
  const weightSpecs: tf.io.WeightsManifestEntry[] = consts.map(([name, t]) => ({ name, shape: t.shape, dtype: 'float32' }));
  const weightBuffer = Buffer.concat(consts.map(([, t]) => Buffer.from((t.dataSync() as Float32Array).slice().buffer)));

  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const modelJson = {
    format: 'graph-model',
    generatedBy: 'model-lens scripts/make-iris-graph.ts (hand-written GraphDef)',
    convertedBy: null,
    modelTopology,
    weightsManifest: [{ paths: ['weights.bin'], weights: weightSpecs }],
  };
  const text = lineJson(modelJson);
  if (JSON.stringify(JSON.parse(text)) !== JSON.stringify(modelJson)) throw new Error('model.json formatting changed its content');
  fs.writeFileSync(path.join(OUT_DIR, 'model.json'), text + '\n');
  fs.writeFileSync(path.join(OUT_DIR, 'weights.bin'), weightBuffer);

  // Sidecar, the files it points to and all rows, from iris-mlp (paths stay relative to the sidecar).
  const sidecar = JSON.parse(fs.readFileSync(path.join(SRC_DIR, 'model.lens.json'), 'utf8')) as Sidecar;
  // TracIn checkpoints are layers models of iris-mlp's run; a graph model has no trainable weights.
  delete sidecar.data?.checkpoints;
  for (const rel of [ALL_ROWS, sidecar.data?.train, sidecar.data?.test, ...(sidecar.data?.samples ?? [])]) if (rel) copyRelative(rel);
  sidecar.description =
    'The iris MLP of ../iris-mlp as a TF.js graph model (hand-written GraphDef: MatMul → BiasAdd → Relu → MatMul → BiasAdd → Softmax), ' +
    'same weights and same outputs. ' +
    (sidecar.description ?? '');
  writeJson(path.join(OUT_DIR, 'model.lens.json'), sidecar);

  // Check the written files: same probabilities as the layers model, and gradients flow.
  const written = readModelFiles(OUT_DIR);
  const graph = await tf.loadGraphModel(
    tf.io.fromMemory({ modelTopology: written.json.modelTopology as object, weightSpecs: written.weightSpecs, weightData: written.weightData, format: 'graph-model' } as tf.io.ModelArtifacts),
  );
  const layers = await loadLayersModel(SRC_DIR);
  console.log(`graph inputs ${JSON.stringify(graph.inputs)}, outputs ${JSON.stringify(graph.outputNodes)}`);

  const csv = fs.readFileSync(path.join(OUT_DIR, ALL_ROWS), 'utf8').trim().split('\n').slice(1);
  const raw = csv.map((line) => line.split(',').slice(0, 4).map(Number));
  if (raw.length !== 150) throw new Error(`expected 150 rows, got ${raw.length}`);
  const x = tf.tidy(() => tf.tensor2d(raw).sub(sidecar.input!.mean!).div(sidecar.input!.std!));

  const maxDiff = tf.tidy(() => {
    const a = graph.predict(x) as tf.Tensor;
    const b = layers.predict(x) as tf.Tensor;
    if (a.shape.join() !== b.shape.join()) throw new Error(`shapes differ: ${a.shape} vs ${b.shape}`);
    return a.sub(b).abs().max().dataSync()[0];
  });
  console.log(`max |graph - layers| over 150 rows: ${maxDiff.toExponential(3)}`);
  if (!(maxDiff < 1e-5)) throw new Error(`graph model differs from the layers model by ${maxDiff}`);

  // Input gradient of p(class 2) through GraphModel.predict, against the layers model's.
  const probOf = (m: tf.GraphModel | tf.LayersModel) => (inp: tf.Tensor) => (m.predict(inp) as tf.Tensor).slice([0, 2], [-1, 1]).sum();
  const gradStats = tf.tidy(() => {
    const gGraph = tf.grad(probOf(graph))(x);
    const gLayers = tf.grad(probOf(layers))(x);
    const finite = tf.all(tf.isFinite(gGraph)).dataSync()[0] === 1;
    return { finite, norm: gGraph.norm().dataSync()[0], diff: gGraph.sub(gLayers).abs().max().dataSync()[0] };
  });
  console.log(`input gradient via graph model: finite ${gradStats.finite}, norm ${gradStats.norm.toFixed(4)}, max |graph - layers| ${gradStats.diff.toExponential(3)}`);
  if (!gradStats.finite || !(gradStats.norm > 0) || !(gradStats.diff < 1e-5)) throw new Error('gradient check failed');
  x.dispose();
  console.log(`wrote ${path.relative(ROOT, OUT_DIR)} (weights ${weightBuffer.byteLength} bytes)`);
}

runScript(main);
