import * as assert from 'assert';
import { boundsOf, costDistance, emptyIntervals, featureSpace, violations } from '../../../../src/engine/counterfactuals/constraints';
import { parse } from '../../../../src/engine/checkpoint/sidecar';
import type { Sidecar } from '../../../../src/protocol/model';
import { rejectsLens } from '../../../helpers/assertLens';

const features = ['age', 'income', 'children', 'color_red', 'color_blue'];
const sidecar: Sidecar = {
  input: {
    kind: 'tabular',
    features,
    std: [10, 1000, 1, 1, 1],
    constraints: {
      age: { immutable: true },
      income: { min: 0, max: 5000, cost: 0.5 },
      children: { integer: true, min: 0, monotone: 'increase' },
    },
    categorical: [['color_red', 'color_blue']],
  },
};
const row = [40, 1200, 1.5, 0, 1];
const train = {
  // age: 20 30 40 50 60 → median 40, |dev| 20 10 0 10 20 → MAD 10; children all 2 → MAD 0, std 0; colours 0/1.
  values: Float64Array.from([20, 100, 2, 1, 0, 30, 200, 2, 0, 1, 40, 300, 2, 0, 1, 50, 400, 2, 1, 0, 60, 1000, 2, 0, 1]),
  labels: Int32Array.from([0, 0, 1, 1, 1]),
  rows: 5,
};

describe('counterfactual constraints (sidecar, request overrides, costs)', () => {
  it('bounds each feature by its range, direction, immutability, integrality and one-hot group', () => {
    const space = featureSpace(features, row, sidecar, {}, null);
    assert.deepStrictEqual(Array.from(space.lower), [40, 0, 2, 0, 0]);
    assert.deepStrictEqual(Array.from(space.upper), [40, 5000, Infinity, 1, 1]);
    assert.deepStrictEqual(space.groups, [[3, 4]]);
    assert.deepStrictEqual(space.integer, [false, false, true, true, true]);
  });

  it('costs: the sidecar\'s, else 1/MAD over the training set, 1/std with a warning where the MAD is 0, and 1/std of the sidecar without a training set', () => {
    const withTrain = featureSpace(features, row, sidecar, {}, train);
    assert.strictEqual(withTrain.cost[0], 1 / 10);
    assert.strictEqual(withTrain.info[0].costSource, 'mad');
    assert.strictEqual(withTrain.cost[1], 0.5);
    assert.strictEqual(withTrain.info[1].costSource, 'sidecar');
    // children: MAD 0 and std 0 → 1, with a warning (it may change).
    assert.strictEqual(withTrain.info[2].costSource, 'unit');
    assert.ok(withTrain.warnings.some((w) => w.startsWith('children:')));
    // colours: MAD 0 (three of five are 1: median 1, deviations 1 0 0 1 0), std √0.24.
    assert.strictEqual(withTrain.info[4].costSource, 'std');
    assert.ok(Math.abs(withTrain.cost[4] - 1 / Math.sqrt(0.24)) < 1e-12);
    assert.ok(!withTrain.warnings.some((w) => w.startsWith('age:')), 'no warning for an immutable feature');
    const without = featureSpace(features, row, sidecar, {}, null);
    assert.strictEqual(without.cost[0], 1 / 10);
    assert.strictEqual(without.info[0].costSource, 'sidecar-std');
  });

  it('the request overrides immutables, ranges and costs for one run', () => {
    const space = featureSpace(features, row, sidecar, { immutable: ['income'], range: { children: [null, 3] }, cost: { age: 2 } }, null);
    assert.deepStrictEqual([space.lower[1], space.upper[1]], [1200, 1200]);
    // The request's range replaces the sidecar's min 0; the direction still holds.
    assert.deepStrictEqual([space.lower[2], space.upper[2]], [2, 3]);
    assert.strictEqual(space.cost[0], 2);
    assert.strictEqual(space.info[0].costSource, 'request');
  });

  it('refuses unknown features with the closest name, and one-hot groups that are not one-hot', async () => {
    await rejectsLens(() => featureSpace(features, row, { input: { ...sidecar.input!, constraints: { incme: { min: 0 } } } }, {}, null), 'INVALID_SIDECAR', /'incme'.*did you mean 'income'/);
    await rejectsLens(() => featureSpace(features, row, sidecar, { immutable: ['agee'] }, null), 'BAD_REQUEST', /'agee'.*did you mean 'age'/);
    await rejectsLens(() => featureSpace(features, [40, 1200, 1, 1, 1], sidecar, {}, null), 'INVALID_INPUT', /one-hot group color_red, color_blue is \[1, 1\]/);
    await rejectsLens(() => featureSpace(features, row, { input: { ...sidecar.input!, constraints: { income: { min: 5, max: 1 } } } }, {}, null), 'INVALID_SIDECAR', /min 5 above max 1/);
  });

  it('says which constraints leave no value, and which a row breaks', () => {
    const space = featureSpace(features, row, sidecar, { range: { age: [50, 60] } }, null);
    assert.deepStrictEqual(emptyIntervals(space), ['age is 40, but it is immutable, its min is 50 and its max is 60']);
    const ok = featureSpace(features, row, sidecar, {}, null);
    assert.deepStrictEqual(violations(ok, [40, 1200, 2, 0, 1]), []);
    assert.deepStrictEqual(violations(ok, [41, 6000, 2.5, 1, 1]).length, 4);
    assert.strictEqual(costDistance([1, 2], [0, 0], [3, -1]), 5);
    assert.deepStrictEqual(boundsOf(ok.info[2], 1.5, new Set(['monotone'])), [0, Infinity]);
  });

  it('the sidecar schema takes constraints and one-hot groups, and names what is wrong', () => {
    const text = (input: object) => JSON.stringify({ input: { kind: 'tabular', ...input } });
    assert.doesNotThrow(() => parse(text({ constraints: sidecar.input!.constraints, categorical: sidecar.input!.categorical }), 'x.lens.json'));
    assert.throws(() => parse(text({ constraints: { a: { cost: 0 } } }), 'x.lens.json'), /constraints\/a\/cost/);
    assert.throws(() => parse(text({ constraints: { a: { monotone: 'up' } } }), 'x.lens.json'), /monotone/);
    assert.throws(() => parse(text({ constraints: { a: { immutabel: true } } }), 'x.lens.json'), /immutabel/);
    assert.throws(() => parse(text({ categorical: [['only']] }), 'x.lens.json'), /categorical/);
  });
});
