/**
 * Copy as CSV row, against the model: every counterfactual the engine finds on penguins test rows
 * (linear-exact at its margin, and a diverse gradient set), written as rows of test.csv the way the
 * panel copies them, is classified as the target by `predict` on the written file, and the file
 * holds each value as the float32 the model reads.
 */
import * as assert from 'assert';
import * as fs from 'fs';
import * as path from 'path';
import { quietContext } from '../../../src/engine/common/context';
import { labelColumnOf, counterfactualJson } from '../../../src/extension/counterfactuals/copyText';
import type { CounterfactualResult } from '../../../src/protocol/counterfactual';
import type { ModelSummary, Prediction } from '../../../src/protocol/model';
import { counterfactualCsvRow } from '../../../src/shared/counterfactualCsv';
import { csvDataRow, splitCsv } from '../../../src/shared/csv';
import { ROOT } from '../../helpers/cli';
import { suiteEngine } from '../../helpers/suiteEngine';
import { tempDir } from '../../helpers/tempDir';

const DIR = path.join(ROOT, 'examples/penguins-logreg');
const MODEL = path.join(DIR, 'model.json');
const TEST = path.join(DIR, 'data/test.csv');

describe('copying counterfactuals as CSV rows (penguins)', function () {
  this.timeout(300_000);
  const engine = suiteEngine('cpu');

  it('every copied row is predicted as the target, with the float32 values of the counterfactual', async () => {
    const text = fs.readFileSync(TEST, 'utf8');
    const summary = (await engine().run('info', { modelPath: MODEL }, quietContext())) as ModelSummary;
    const column = labelColumnOf(summary);
    assert.strictEqual(column, 'species');
    const out: string[] = [];
    const expected: { target: number; label: string; values: Record<string, number> }[] = [];
    for (const row of [1, 7, 20, 33, 45, 60]) {
      const predicted = (await engine().run('predict', { modelPath: MODEL, inputPath: TEST, top: 2 }, quietContext())) as Prediction;
      const target = predicted.rows[row - 1].top[1].index;
      for (const options of [{ method: 'linear-exact' as const }, { method: 'gradient' as const, count: 3 }]) {
        const r = (await engine().run('counterfactual', { modelPath: MODEL, inputPath: TEST, row, target, ...options }, quietContext())) as CounterfactualResult;
        const source = csvDataRow(text, r.original.row!)!;
        for (const cf of r.counterfactuals) {
          out.push(counterfactualCsvRow(source, cf.values!, { column, value: cf.label }));
          expected.push({ target, label: r.targetLabel, values: cf.values! });
          assert.strictEqual((counterfactualJson(r, cf).values as Record<string, number>).body_mass_g, cf.values!.body_mass_g);
        }
      }
    }
    assert.ok(expected.length >= 12, `${expected.length} counterfactuals`);
    const file = path.join(tempDir(), 'copied.csv');
    fs.writeFileSync(file, `${text.split('\n')[0]}\n${out.join('\n')}\n`);
    const p = (await engine().run('predict', { modelPath: MODEL, inputPath: file, top: 1 }, quietContext())) as Prediction;
    const { records } = splitCsv(fs.readFileSync(file, 'utf8'));
    const header = records[0];
    expected.forEach((e, i) => {
      assert.strictEqual(p.rows[i].top[0].index, e.target, `row ${i + 1} (${out[i]}) is predicted ${p.rows[i].top[0].label}`);
      assert.strictEqual(records[i + 1][header.indexOf('species')], e.label);
      for (const [f, v] of Object.entries(e.values)) assert.strictEqual(Math.fround(Number(records[i + 1][header.indexOf(f)])), Math.fround(v), `${f} in ${out[i]}`);
    });
  });
});
