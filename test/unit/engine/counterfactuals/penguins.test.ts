/**
 * The penguins example (softmax regression with constraints in its sidecar): validity of the
 * gradient search over its whole test set within the default budget, against the queries that
 * linear-exact proves to have a counterfactual; every counterfactual keeps island and sex, body
 * mass within the observed range and whole millimetres of flipper.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { quietContext } from '../../../../src/engine/common/context';
import type { Counterfactual, CounterfactualResult } from '../../../../src/protocol/counterfactual';
import { ROOT } from '../../../helpers/cli';
import { suiteEngine } from '../../../helpers/suiteEngine';

const DIR = path.join(ROOT, 'examples/penguins-logreg');
const MODEL = path.join(DIR, 'model.json');
const TEST = path.join(DIR, 'data/test.csv');

function keepsSidecarConstraints(cf: Counterfactual, original: Record<string, number>): void {
  for (const f of ['island_Biscoe', 'island_Dream', 'island_Torgersen', 'sex_female', 'sex_male']) assert.strictEqual(cf.values![f], original[f], f);
  assert.ok(cf.values!.body_mass_g >= 2700 && cf.values!.body_mass_g <= 6300, `body mass ${cf.values!.body_mass_g}`);
  assert.ok(Number.isInteger(cf.values!.flipper_length_mm), `flipper ${cf.values!.flipper_length_mm}`);
}

describe('counterfactuals on the penguins example', function () {
  this.timeout(600_000);
  const engine = suiteEngine('cpu');

  it("gradient is valid on ≥ 95% of the test set's queries that have a counterfactual (runner-up class, default budget)", async () => {
    const rows = fs.readFileSync(TEST, 'utf8').trim().split('\n').length - 1;
    let feasible = 0;
    let valid = 0;
    let exact = 0;
    const ratios: number[] = [];
    for (let row = 1; row <= rows; row++) {
      const params = { modelPath: MODEL, inputPath: TEST, row };
      // linear-exact toward both other classes (the predicted one is refused); the runner-up is the likelier.
      const exacts: CounterfactualResult[] = [];
      for (const target of [0, 1, 2]) {
        const result = await engine().run('counterfactual', { ...params, target, method: 'linear-exact' }, quietContext()).catch((err: Error) => {
          assert.match(err.message, /already predicts/);
          return null;
        });
        if (result) exacts.push(result);
      }
      assert.strictEqual(exacts.length, 2);
      const linear = exacts.sort((a, b) => b.original.targetProbability - a.original.targetProbability)[0];
      const target = linear.target;
      if (linear.counterfactuals.length === 0) continue;
      feasible++;
      exact++;
      keepsSidecarConstraints(linear.counterfactuals[0], linear.original.values!);
      const gradient: CounterfactualResult = await engine().run('counterfactual', { ...params, target, method: 'gradient' }, quietContext());
      if (gradient.counterfactuals.length === 0) continue;
      valid++;
      keepsSidecarConstraints(gradient.counterfactuals[0], gradient.original.values!);
      ratios.push(gradient.counterfactuals[0].proximity / linear.counterfactuals[0].proximity);
    }
    ratios.sort((a, b) => a - b);
    assert.ok(feasible >= 50, `${feasible} of ${rows} rows have a counterfactual within the sidecar's constraints`);
    assert.ok(valid / feasible >= 0.95, `gradient valid on ${valid} of ${feasible}`);
    // Never cheaper than the exact optimum.
    assert.ok(ratios[0] >= 1 - 1e-3, `gradient below the optimum: ${ratios[0]}`);
    assert.strictEqual(exact, feasible);
  });
});
