/**
 * Property tests: over random rows and random constraint sets, on a nonlinear MLP (gradient) and on
 * softmax regression (linear-exact, gradient), with an integer feature, a one-hot group and a
 * monotone feature in the sidecar, every returned counterfactual keeps every constraint
 * and is valid — both checked here, independently of the engine: the constraints against the
 * request, validity by the test's own copy of the model.
 */
import * as assert from 'assert';
import * as tf from '@tensorflow/tfjs';
import { quietContext } from '../../../../src/engine/common/context';
import { makeRng } from '../../../../src/engine/common/random';
import type { CounterfactualResult } from '../../../../src/protocol/counterfactual';
import { writeTabularToy, type TabularToy } from '../../../helpers/tabularToys';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tempDir } from '../../../helpers/tempDir';

const FEATURES = ['a', 'b', 'c', 'n', 'g_x', 'g_y', 'g_z'];
const GROUP = ['g_x', 'g_y', 'g_z'];
const MEAN = [1, -2, 10, 3, 0, 0, 0];
const STD = [2, 0.5, 4, 2, 1, 1, 1];

interface Draw {
  row: number;
  target: number;
  immutable: string[];
  range: Record<string, [number | null, number | null]>;
  cost: Record<string, number>;
}

async function toy(hidden: boolean, seed: number): Promise<{ toy: TabularToy; model: tf.LayersModel }> {
  const rng = makeRng(seed);
  const d = FEATURES.length;
  const layers = hidden
    ? [tf.layers.dense({ units: 8, activation: 'relu', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed }) }), tf.layers.dense({ units: 3, activation: 'softmax', kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }) })]
    : [tf.layers.dense({ units: 3, activation: 'softmax', inputShape: [d], kernelInitializer: tf.initializers.glorotUniform({ seed }) })];
  const model = tf.sequential({ layers });
  const rows = Array.from({ length: 40 }, () => {
    const g = Math.floor(3 * rng());
    return [...MEAN.slice(0, 3).map((m, i) => Number((m + 2 * STD[i] * (rng() - 0.5)).toFixed(2))), Math.floor(6 * rng()), ...[0, 1, 2].map((k) => (k === g ? 1 : 0))];
  });
  const written = await writeTabularToy(tempDir(), {
    model,
    features: FEATURES,
    rows,
    mean: MEAN,
    std: STD,
    labels: ['p', 'q', 'r'],
    constraints: { n: { integer: true, min: 0, max: 9 }, c: { monotone: 'increase' } },
    categorical: [GROUP],
  });
  return { toy: written, model };
}

function draws(predicted: number[], seed: number): Draw[] {
  const rng = makeRng(seed);
  return predicted.map((p, r) => {
    const mutable = FEATURES.slice(0, 4);
    const immutable = [...mutable.filter(() => rng() < 0.25), ...(rng() < 0.3 ? GROUP : [])];
    const range: Draw['range'] = {};
    for (const f of mutable.slice(0, 3)) {
      if (rng() < 0.4) range[f] = [rng() < 0.5 ? null : Number((MEAN[FEATURES.indexOf(f)] - 3 * rng()).toFixed(2)), rng() < 0.5 ? null : Number((MEAN[FEATURES.indexOf(f)] + 3 * rng()).toFixed(2))];
    }
    const cost = Object.fromEntries(FEATURES.map((f) => [f, Number((0.3 + 2 * rng()).toFixed(2))]));
    return { row: r + 1, target: (p + 1 + Math.floor(2 * rng())) % 3, immutable, range, cost };
  });
}

/** Every constraint of the draw (and the sidecar's), checked on a counterfactual's values; returns what is broken. */
function broken(draw: Draw, original: number[], values: Record<string, number>): string[] {
  const out: string[] = [];
  FEATURES.forEach((f, i) => {
    const v = values[f];
    if (draw.immutable.includes(f) && v !== original[i]) out.push(`${f} is immutable but changed`);
    const [lo, hi] = draw.range[f] ?? (f === 'n' ? [0, 9] : [null, null]);
    const outside = (lo !== null && v < lo) || (hi !== null && v > hi);
    if (outside) out.push(`${f} = ${v} is outside [${lo}, ${hi}]`);
    if (f === 'c' && v < original[i]) out.push(`c may only increase, but went from ${original[i]} to ${v}`);
  });
  if (!Number.isInteger(values.n)) out.push(`n = ${values.n} is not whole`);
  const group = GROUP.map((g) => values[g]);
  if (!(group.every((v) => v === 0 || v === 1) && group.filter((v) => v === 1).length === 1)) out.push(`group [${group}] is not one-hot`);
  return out;
}

/** The test's own verdict: the model's argmax on (values − mean) / std in float32. */
function predictedClass(model: tf.LayersModel, values: Record<string, number>): number {
  return tf.tidy(() => (model.predict(tf.tensor2d([FEATURES.map((f, i) => (Math.fround(values[f]) - MEAN[i]) / STD[i])])) as tf.Tensor).argMax(-1).dataSync()[0]);
}

describe('counterfactual properties over random rows and constraint sets', function () {
  this.timeout(600_000);
  const engine = suiteEngine('cpu');

  for (const [name, hidden, methods] of [
    ['an MLP', true, ['gradient']],
    ['softmax regression', false, ['linear-exact', 'gradient']],
  ] as const) {
    it(`${name}: no returned counterfactual breaks a constraint or is invalid (${methods.join(', ')})`, async () => {
      const { toy: t, model } = await toy(hidden, hidden ? 3 : 8);
      const predicted = t.rows.map((r) => predictedClass(model, Object.fromEntries(FEATURES.map((f, i) => [f, r[i]]))));
      let returned = 0;
      let empty = 0;
      const rng = makeRng(1);
      for (const draw of draws(predicted, hidden ? 5 : 6).slice(0, 24)) {
        for (const method of methods) {
          const count = method === 'gradient' ? 1 + Math.floor(3 * rng()) : 1;
          const params = {
            modelPath: t.modelPath, inputPath: t.csvPath, row: draw.row, target: draw.target, method, cost: draw.cost, range: draw.range,
            ...(draw.immutable.length ? { immutable: draw.immutable } : {}), ...(method === 'gradient' ? { count, steps: 600 } : {}),
          };
          const result: CounterfactualResult = await engine().run('counterfactual', params, quietContext());
          const original = t.rows[draw.row - 1];
          if (result.counterfactuals.length === 0) {
            assert.ok(result.reason && result.reason.length > 20, `row ${draw.row} ${method}: an empty result says why`);
            empty++;
          }
          assert.ok(result.counterfactuals.length <= count);
          for (const cf of result.counterfactuals) {
            assert.deepStrictEqual(broken(draw, original, cf.values!), [], `row ${draw.row} ${method}`);
            assert.strictEqual(predictedClass(model, cf.values!), draw.target, `row ${draw.row} ${method}: the model's own verdict`);
            assert.strictEqual(cf.validity, true);
            assert.deepStrictEqual(cf.changes.map((c) => c.feature), FEATURES.filter((f, i) => cf.values![f] !== original[i]));
            const cost = FEATURES.reduce((s, f, i) => s + draw.cost[f] * Math.abs(cf.values![f] - original[i]), 0);
            assert.ok(Math.abs(cf.proximity - cost) <= 1e-9 * Math.max(1, cost), `proximity ${cf.proximity} vs ${cost}`);
            returned++;
          }
          const keys = result.counterfactuals.map((c) => JSON.stringify(c.values));
          assert.strictEqual(new Set(keys).size, keys.length, 'no two counterfactuals are identical');
        }
      }
      assert.ok(returned >= 15, `${returned} counterfactuals returned, ${empty} empty results`);
      model.dispose();
    });
  }
});
