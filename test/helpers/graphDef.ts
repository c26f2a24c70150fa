/** Writes small TensorFlow graph models (GraphDef JSON by hand) with float32 weights, as tfjs-converter would. */
import * as fs from 'fs';
import * as path from 'path';
import { tempDir } from './tempDir';

export const FLOAT = { type: 'DT_FLOAT' };
const dims = (...d: number[]) => ({ dim: d.map((size) => ({ size: String(size) })) });
export const ints = (...v: number[]) => ({ list: { i: v.map(String) } });
export const str = (s: string) => ({ s: Buffer.from(s).toString('base64') });

export interface GraphWeight {
  name: string;
  shape: number[];
  /** Row-major values; int32 weights (shapes, axes) are marked. */
  values: number[];
  dtype?: 'float32' | 'int32';
}

/** Saves `nodes` (besides the float32 placeholder `x` of `inputShape` and a Const per weight) as model.json + weights.bin; returns model.json's path. */
export function writeGraphModel(inputShape: number[], weights: GraphWeight[], nodes: object[], dir: string = tempDir()): string {
  const consts = weights.map((w) => {
    const dtype = w.dtype === 'int32' ? 'DT_INT32' : 'DT_FLOAT';
    return { name: w.name, op: 'Const', attr: { dtype: { type: dtype }, value: { tensor: { dtype, tensorShape: dims(...w.shape) } } } };
  });
  const topology = {
    node: [{ name: 'x', op: 'Placeholder', attr: { dtype: FLOAT, shape: { shape: dims(...inputShape) } } }, ...consts, ...nodes],
    versions: { producer: 1 },
  };
  const data = Buffer.concat(weights.map((w) => Buffer.from((w.dtype === 'int32' ? new Int32Array(w.values) : new Float32Array(w.values)).buffer)));
  const manifest = weights.map((w) => ({ name: w.name, shape: w.shape, dtype: w.dtype ?? 'float32' }));
  const json = { format: 'graph-model', generatedBy: 'model-lens tests', modelTopology: topology, weightsManifest: [{ paths: ['weights.bin'], weights: manifest }] };
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, 'model.json'), JSON.stringify(json));
  fs.writeFileSync(path.join(dir, 'weights.bin'), data);
  return path.join(dir, 'model.json');
}
