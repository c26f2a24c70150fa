/**
 * Counterfactuals for a CSV row: the row in raw units, the feature space (constraints and costs),
 * linear-exact or gradient, then every candidate checked on the real model and against the
 * constraints before it is reported with its metrics.
 */
import type { Counterfactual } from '../../protocol/counterfactual';
import type { Sidecar } from '../../protocol/model';
import { readCsvTable, selectFeatures } from '../data/csv';
import { LensError } from '../errors';
import { base, perChannel } from '../data/common';
import type { TrainingSet } from '../data/trainingSet';
import { costDistance, featureSpace, type FeatureSpace, type RawTrainingRows } from './constraints';
import { decisionFor } from './decision';
import { gradientSearch } from './gradient';
import { linearExact } from './linearExact';
import type { TabularOutcome } from './outcome';
import { labelOf } from '../model/head';
import { describeVerdict, meanPairwise, refuseCurrentClass, type KindResult, type RunSetup } from './run';
import { stack, TabularProblem } from './tabular';

export async function tabularCounterfactuals(setup: RunSetup): Promise<KindResult> {
  const { checkpoint, params, input, target, train, ctx } = setup;
  const sidecar = checkpoint.sidecar.sidecar;
  const csv = await readCsvTable(params.inputPath);
  // Checks every cell; the row's values are then read again as written (float64), so values and costs are the CSV's.
  const table = selectFeatures(params.inputPath, csv, sidecar.input);
  const rowNumber = pickRow(params.inputPath, table.rows, params.row);
  const d = table.features.length;
  const row = table.features.map((f) => Number(csv.rows[rowNumber - 1][csv.header.indexOf(f)].trim()));
  const training = train && rawRows(train, sidecar, d);
  const space = featureSpace(table.features, row, sidecar, params, training);
  const x = input.tensor.slice([rowNumber - 1, 0], [1, d]);
  try {
    const problem = new TabularProblem(space, decisionFor(checkpoint, x, target), params.margin!);
    const original = problem.verdicts(Float64Array.from(space.x))[0];
    refuseCurrentClass(original, setup);
    const outcome: TabularOutcome =
      setup.method === 'linear-exact'
        ? await linearExact(problem, checkpoint, labelOf(setup.head, target))
        : await gradientSearch(problem, { count: params.count!, steps: params.steps!, seed: params.seed! }, ctx);
    const values = (r: ArrayLike<number>) => Object.fromEntries(space.features.map((f, i) => [f, r[i]]));
    const verdicts = outcome.rows.length ? problem.verdicts(stack(outcome.rows, d)) : [];
    const counterfactuals: { row: Float64Array; cf: Counterfactual }[] = outcome.rows
      .map((r, n) => ({ r, verdict: verdicts[n] }))
      .filter(({ r, verdict }) => problem.accepts(r, verdict))
      .map(({ r, verdict }) => ({
        row: r,
        cf: {
          values: values(r),
          changes: space.features.flatMap((feature, i) => (r[i] !== space.x[i] ? [{ feature, from: space.x[i], to: r[i] }] : [])),
          ...describeVerdict(verdict, setup),
          validity: true,
          proximity: costDistance(space.cost, r, space.x),
          sparsity: space.features.filter((_, i) => r[i] !== space.x[i]).length,
          plausibility: training ? plausibility(space, r, training, target) : null,
        },
      }))
      .sort((a, b) => a.cf.proximity - b.cf.proximity);
    const lost = outcome.rows.length - counterfactuals.length;
    return {
      original: { ...describeVerdict(original, setup), values: values(space.x), row: rowNumber },
      counterfactuals: counterfactuals.map((c) => c.cf),
      diversity: meanPairwise(counterfactuals.map((c) => c.row), (a, b) => costDistance(space.cost, a, b)),
      reason: counterfactuals.length ? null : (outcome.reason ?? `The method's ${outcome.rows.length} candidates did not hold on the float32 model or broke a constraint.`),
      constraints: { kind: 'tabular', features: space.info, categorical: space.categorical },
      details: outcome.details,
      warnings: [...space.warnings, ...(outcome.warnings ?? []), ...(lost > 0 && counterfactuals.length ? [`${lost} candidate(s) failed the final check on the float32 model and were dropped.`] : [])],
    };
  } finally {
    x.dispose();
  }
}

/** The 1-based data row to change: `row`, or the only one. */
function pickRow(file: string, rows: number, row: number | undefined): number {
  if (row === undefined) {
    if (rows === 1) return 1;
    throw new LensError('BAD_REQUEST', `${base(file)} holds ${rows} rows: pick the one to change (--row 1 to ${rows}).`);
  }
  if (row > rows) throw new LensError('BAD_REQUEST', `--row ${row} is past the end: ${base(file)} holds ${rows} row${rows === 1 ? '' : 's'}.`);
  return row;
}

/** The training set's rows back in raw units: x · std + mean (the set holds them as the model sees them). */
function rawRows(train: TrainingSet, sidecar: Sidecar, d: number): RawTrainingRows {
  if (train.x.rank !== 2 || train.x.shape[1] !== d) throw new LensError('INVALID_INPUT', `The training set's rows have shape [${train.x.shape.slice(1)}], not the ${d} features of the input.`);
  const mean = perChannel(sidecar.input?.mean, d, 'mean', 0);
  const std = perChannel(sidecar.input?.std, d, 'std', 1);
  const z = train.x.dataSync();
  const values = Float64Array.from(z, (v, i) => v * std[i % d] + mean[i % d]);
  return { values, labels: train.labels, rows: train.labels.length };
}

/** The cost from the counterfactual to the nearest training row of the target class (null when the set has none). */
function plausibility(space: FeatureSpace, row: Float64Array, train: RawTrainingRows, target: number): number | null {
  const d = space.features.length;
  let best = Infinity;
  for (let r = 0; r < train.rows; r++) {
    if (train.labels[r] === target) best = Math.min(best, costDistance(space.cost, row, train.values.subarray(r * d, (r + 1) * d)));
  }
  return Number.isFinite(best) ? best : null;
}

