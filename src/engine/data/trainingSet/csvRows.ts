/** CSV/TSV sets: a header row, the model's feature columns and a label column (none without labels). */
import * as path from 'path';
import { LensError } from '../../errors';
import { assertShapeFits } from '../common';
import { cellProblem, DEFAULT_LABEL_COLUMN } from '../../../shared/csv';
import { featureColumns, parseCsv, selectFeatures, standardise, type CsvTable } from '../csv';
import type { TrainingSetBuilder } from './builder';

/** Features are chosen and standardised exactly as for a single CSV input; ids are `<file>:<line>`. */
export async function readCsvSet(file: string, set: TrainingSetBuilder): Promise<void> {
  const name = path.basename(file);
  const bytes = await set.readSource(file);
  const input = { ...set.sidecar.input, labelColumn: set.sidecar.input?.labelColumn ?? DEFAULT_LABEL_COLUMN };
  const table = parseCsv(file, bytes.toString('utf8'), (line, reason) => set.skip(`${name}:${line}`, reason));
  if (!table.rows.length) return;
  const { header } = table;
  const labelIndex = header.indexOf(input.labelColumn);
  if (labelIndex < 0 && set.labelled) {
    throw new LensError(
      'INVALID_INPUT',
      `${name}: no label column '${input.labelColumn}' (the header has ${header.join(', ')}); name it in the sidecar's input.labelColumn.`,
    );
  }
  const features = featureColumns(file, table, input);
  assertShapeFits(file, [1, features.length], set.spec.shape, "List the model's columns in the sidecar's input.features.");
  const columns = features.map((f) => header.indexOf(f));

  const good: CsvTable = { header, rows: [], lines: [] };
  const labels: number[] = [];
  for (let i = 0; i < table.rows.length; i++) {
    const row = table.rows[i];
    set.attempt(`${name}:${table.lines[i]}`, () => {
      for (const j of columns) {
        const problem = cellProblem(row[j]);
        if (problem) throw new LensError('INVALID_INPUT', `column '${header[j]}' ${problem}.`);
      }
      labels.push(set.labelOf(row[labelIndex]));
      good.rows.push(row);
      good.lines.push(table.lines[i]);
    });
    await set.tick(i + 1, table.rows.length);
  }
  if (!good.rows.length) return;

  const f = features.length;
  const values = standardise(selectFeatures(file, good, { ...input, features }), input);
  good.rows.forEach((row, i) => {
    set.add({
      id: `${name}:${good.lines[i]}`,
      location: { path: file, line: good.lines[i] },
      label: labels[i],
      values: values.subarray(i * f, (i + 1) * f),
      shape: [1, f],
      preview: () => ({ kind: 'row', cells: Object.fromEntries(header.map((h, j) => [h, row[j]])) }),
    });
  });
}
