/**
 * A counterfactual written back as a row of the CSV its input came from, so it can be pasted into
 * that file: the file's columns in its order and its delimiter, unchanged cells as written, changed
 * features in their column's style, and the label column naming the class the model now predicts.
 */
import Papa from 'papaparse';

export interface CsvSourceRow {
  delimiter: string;
  header: string[];
  /** The original row's cells, as written. */
  cells: string[];
}

/**
 * `value` written like `written` (its number of decimals) when that still reads as the same float32
 * (the model's precision, so the row keeps its prediction); else the shortest decimal that does.
 */
export function formatLike(written: string, value: number): string {
  const text = written.trim();
  if (Number(text) === value) return text;
  const same = (s: string) => Math.fround(Number(s)) === Math.fround(value);
  const decimals = /^[+-]?\d*\.(\d+)$/.exec(text)?.[1].length ?? 0;
  const styled = value.toFixed(Math.min(decimals, 20));
  if (same(styled)) return styled;
  for (let digits = 1; digits <= 17; digits++) {
    const shortest = String(Number(value.toPrecision(digits)));
    if (same(shortest)) return shortest;
  }
  return String(value);
}

/** The row, quoted where a cell needs it; `label`: the label column and the class to write there. */
export function counterfactualCsvRow(source: CsvSourceRow, values: Record<string, number>, label?: { column: string; value: string }): string {
  const cells = source.header.map((column, j) => {
    const written = source.cells[j] ?? '';
    if (label && column === label.column) return label.value;
    return Object.prototype.hasOwnProperty.call(values, column) ? formatLike(written, values[column]) : written;
  });
  return Papa.unparse([cells], { delimiter: source.delimiter, newline: '' });
}
