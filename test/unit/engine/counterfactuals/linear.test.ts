/**
 * linear-exact and gradient on logistic regression, against the exact optimum computed without the
 * engine: a fractional knapsack over features by |w_i| / (σ_i c_i) (continuous features), and
 * enumeration over the values of an integer feature with the knapsack for the rest.
 */
import * as assert from 'assert';
import { quietContext } from '../../../../src/engine/common/context';
import { makeRng } from '../../../../src/engine/common/random';
import type { CounterfactualResult } from '../../../../src/protocol/counterfactual';
import { knapsackOptimum, logisticToy, type Box, type TabularToy } from '../../../helpers/tabularToys';
import { suiteEngine } from '../../../helpers/suiteEngine';
import { tempDir } from '../../../helpers/tempDir';

const EPSILON = 0.05;

interface Case {
  row: number;
  target: 0 | 1;
  immutable: string[];
  range: Record<string, [number, number]>;
  cost: Record<string, number>;
  box: Box;
}

/**
 * Seeded random constraint sets on the toy's rows: immutables, ranges around the row, costs; every
 * sixth case leaves one feature free within a narrow range, which is mostly infeasible.
 */
function cases(toy: TabularToy, predicted: number[], seed: number): Case[] {
  const rng = makeRng(seed);
  return toy.rows.map((x, r) => {
    const locked = r % 6 === 5;
    const immutable = toy.features.filter((_, i) => (locked ? i !== r % toy.features.length : rng() < 0.2));
    const range: Record<string, [number, number]> = {};
    const cost: Record<string, number> = {};
    const box: Box = { lower: [], upper: [], cost: [] };
    toy.features.forEach((f, i) => {
      cost[f] = Number((0.2 + 3 * rng()).toFixed(3));
      let [lo, hi] = [-Infinity, Infinity];
      const width = locked ? 0.05 : 1.5 * rng();
      if (locked || rng() < 0.5) {
        [lo, hi] = [Number((x[i] - width * toy.std[i]).toFixed(2)), Number((x[i] + width * toy.std[i]).toFixed(2))];
        range[f] = [lo, hi];
      }
      if (immutable.includes(f)) [lo, hi] = [x[i], x[i]];
      box.lower.push(lo);
      box.upper.push(hi);
      box.cost.push(cost[f]);
    });
    return { row: r + 1, target: (1 - predicted[r]) as 0 | 1, immutable, range, cost, box };
  });
}

describe('counterfactuals of logistic regression against the exact optimum', function () {
  this.timeout(300_000);
  const engine = suiteEngine('cpu');
  let toy: TabularToy;
  let all: Case[];
  const run = (c: Case, method: string, extra: object = {}) =>
    engine().run(
      'counterfactual',
      { modelPath: toy.modelPath, inputPath: toy.csvPath, row: c.row, target: c.target, method, cost: c.cost, ...(c.immutable.length ? { immutable: c.immutable } : {}), range: c.range, ...extra },
      quietContext(),
    );

  before(async () => {
    toy = await logisticToy(tempDir(), 6, 32, 5);
    const predicted = toy.rows.map((x) => (toy.b! + x.reduce((s, v, i) => s + (toy.w![i] * (v - toy.mean[i])) / toy.std[i], 0) > 0 ? 1 : 0));
    all = cases(toy, predicted, 9);
  });

  it('linear-exact equals the fractional knapsack within 1e-3 relative on ≥ 20 inputs, and names the binding constraints when there is none', async () => {
    let matched = 0;
    let infeasible = 0;
    for (const c of all) {
      const truth = knapsackOptimum(toy, toy.rows[c.row - 1], c.target, c.box, EPSILON);
      const result = await run(c, 'linear-exact');
      if (!Number.isFinite(truth)) {
        assert.deepStrictEqual(result.counterfactuals, [], `row ${c.row}: the knapsack says no counterfactual exists`);
        assert.match(result.reason ?? '', /No counterfactual within the constraints: .*(immutable|below its min|above its max)/, `row ${c.row}`);
        infeasible++;
        continue;
      }
      assert.strictEqual(result.counterfactuals.length, 1, `row ${c.row}: ${result.reason}`);
      const cf = result.counterfactuals[0];
      assert.ok(Math.abs(cf.proximity - truth) <= 1e-3 * truth, `row ${c.row}: linear-exact cost ${cf.proximity} vs knapsack ${truth}`);
      assert.strictEqual(cf.prediction, c.target);
      matched++;
    }
    assert.ok(matched >= 20, `${matched} feasible cases`);
    assert.ok(infeasible >= 1, 'the constraint sets include infeasible ones');
  });

  it('gradient comes within 5% of the optimum (median), and is never below it', async () => {
    const ratios: number[] = [];
    for (const c of all) {
      const truth = knapsackOptimum(toy, toy.rows[c.row - 1], c.target, c.box, EPSILON);
      if (!Number.isFinite(truth)) continue;
      const result = await run(c, 'gradient');
      assert.strictEqual(result.counterfactuals.length, 1, `row ${c.row}: ${result.reason}`);
      const ratio = result.counterfactuals[0].proximity / truth;
      assert.ok(ratio >= 1 - 1e-3, `row ${c.row}: gradient's cost ${ratio} × the optimum`);
      ratios.push(ratio);
    }
    ratios.sort((a, b) => a - b);
    const median = ratios[ratios.length >> 1];
    assert.ok(median <= 1.05, `median ratio ${median} (all: ${ratios.map((r) => r.toFixed(3)).join(' ')})`);
  });

  it('with an integer feature, linear-exact equals the optimum over every value of that feature', async () => {
    const dir = tempDir();
    const int = await logisticToy(dir, 5, 24, 21, { f0: { integer: true, min: -40, max: 40 } });
    const predicted = int.rows.map((x) => (int.b! + x.reduce((s, v, i) => s + (int.w![i] * (v - int.mean[i])) / int.std[i], 0) > 0 ? 1 : 0));
    let checked = 0;
    for (const c of cases(int, predicted, 4).slice(0, 16)) {
      const x = int.rows[c.row - 1];
      const { lower, upper, cost } = c.box;
      // The request's range replaces the sidecar's [-40, 40].
      const [from, to] = c.range.f0 || c.immutable.includes('f0') ? [lower[0], upper[0]] : [-40, 40];
      const [lo, hi] = [Math.ceil(from), Math.floor(to)];
      // Enumeration: each whole value of f0, then the knapsack for the other features.
      let truth = Infinity;
      for (let v = lo; v <= hi; v++) {
        const fixed: Box = { lower: [v, ...lower.slice(1)], upper: [v, ...upper.slice(1)], cost };
        const moved = [v, ...x.slice(1)];
        truth = Math.min(truth, cost[0] * Math.abs(v - x[0]) + knapsackOptimum(int, moved, c.target, fixed, EPSILON));
      }
      const result: CounterfactualResult = await engine().run(
        'counterfactual',
        { modelPath: int.modelPath, inputPath: int.csvPath, row: c.row, target: c.target, method: 'linear-exact', cost: c.cost, range: c.range, ...(c.immutable.length ? { immutable: c.immutable } : {}) },
        quietContext(),
      );
      if (!Number.isFinite(truth)) {
        assert.deepStrictEqual(result.counterfactuals, [], `row ${c.row}`);
        continue;
      }
      const cf = result.counterfactuals[0];
      assert.ok(cf, `row ${c.row}: ${result.reason}`);
      assert.ok(Number.isInteger(cf.values!.f0), `f0 = ${cf.values!.f0}`);
      assert.ok(Math.abs(cf.proximity - truth) <= 1e-3 * truth, `row ${c.row}: ${cf.proximity} vs ${truth}`);
      checked++;
    }
    assert.ok(checked >= 8, `${checked} cases`);
  });

  it('a one-unit sigmoid head is read as two classes: linear-exact equals the knapsack there too', async () => {
    const sig = await logisticToy(tempDir(), 5, 12, 33, undefined, true);
    const predicted = sig.rows.map((x) => (sig.b! + x.reduce((s, v, i) => s + (sig.w![i] * (v - sig.mean[i])) / sig.std[i], 0) > 0 ? 1 : 0));
    let matched = 0;
    for (const c of cases(sig, predicted, 12).filter((c) => c.row % 6 !== 0)) {
      const truth = knapsackOptimum(sig, sig.rows[c.row - 1], c.target, c.box, EPSILON);
      const result: CounterfactualResult = await engine().run(
        'counterfactual',
        { modelPath: sig.modelPath, inputPath: sig.csvPath, row: c.row, target: c.target, method: 'linear-exact', cost: c.cost, range: c.range, ...(c.immutable.length ? { immutable: c.immutable } : {}) },
        quietContext(),
      );
      if (!Number.isFinite(truth)) {
        assert.deepStrictEqual(result.counterfactuals, []);
        continue;
      }
      assert.ok(Math.abs(result.counterfactuals[0].proximity - truth) <= 1e-3 * truth, `row ${c.row}: ${result.counterfactuals[0]?.proximity} vs ${truth}`);
      assert.strictEqual(result.counterfactuals[0].label, ['no', 'yes'][c.target]);
      matched++;
    }
    assert.ok(matched >= 6, `${matched} cases`);
  });
});
